import { z } from "zod";
import { CALL_OUTCOMES } from "./call-outcome.ts";

/** The closed set of call outcomes as a zod enum (its own file: call-outcome.ts is on every cold path). */
export const CallOutcomeSchema = z.enum(CALL_OUTCOMES);
