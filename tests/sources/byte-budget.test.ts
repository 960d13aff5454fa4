import { describe, expect, test } from "bun:test";
import { fetchBudget } from "../../src/sources/byte-budget.ts";

describe("the tick's fetch budget", () => {
  test("leases share one limit: a claim that would pass it is refused and takes nothing", () => {
    const budget = fetchBudget(100);
    const a = budget.lease();
    const b = budget.lease();
    expect(a.claim(60)).toBe(true);
    expect(b.claim(41)).toBe(false);
    expect(budget.held()).toBe(60);
    expect(b.claim(40)).toBe(true);
    expect(budget.held()).toBe(100);
  });

  test("releasing a lease gives back all it holds, once, and the lease can claim again", () => {
    const budget = fetchBudget(100);
    const a = budget.lease();
    const b = budget.lease();
    a.claim(30);
    a.claim(30);
    b.claim(40);
    a.release();
    a.release();
    expect(budget.held()).toBe(40);
    expect(b.claim(60)).toBe(true);
    b.release();
    expect(a.claim(100)).toBe(true);
  });
});
