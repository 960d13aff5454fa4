import { createHash } from "node:crypto";

/**
 * The page's only stylesheet, phone first: one column, figures two across, tables turned into
 * stacked rows below 640 px. Its hash is the one style the CSP allows; there is no script.
 */
export const PAGE_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:12px;color:#1b1b1b;background:#fafafa;overflow-wrap:anywhere}
h1{font-size:15px;margin:0 0 8px;color:#555;font-weight:600} h2{font-size:16px;margin:22px 0 8px;border-bottom:1px solid #ddd}
a{color:#0d47a1} .meta{color:#555;font-size:13px} code{font-size:13px}
.verdict{border-radius:8px;padding:10px 14px;color:#fff;background:#455a64}
.verdict p{margin:0;font-size:17px} .verdict strong{font-size:22px;text-transform:uppercase;letter-spacing:.02em}
.verdict ul{margin:6px 0 0;padding-left:20px} .verdict li{margin:2px 0} .verdict p.resumes{margin-top:6px;font-size:15px}
.verdict time{text-decoration:underline dotted}
.v-delivering{background:#1b5e20} .v-degraded{background:#a84300} .v-quiet{background:#37474f}
.v-failing{background:#b71c1c} .v-halted{background:#6a1b9a} .v-stopped{background:#263238} .v-not_running{background:#880e4f}
.figs{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin-top:10px}
.fig{background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px 10px;min-width:0}
.fig b{display:block;font-size:11px;color:#666;text-transform:uppercase;font-weight:600}
.fig span{font-size:16px} .fig small{display:block;color:#555;font-size:12px}
.bad{color:#b71c1c;font-weight:600}
.beats{display:flex;justify-content:flex-end;gap:2px;height:30px;margin-top:6px}
.beat{flex:1 1 0;max-width:16px;border-radius:2px;background:#bdbdbd}
.beats-axis{display:flex;justify-content:space-between;color:#555;font-size:12px}
.b-ok{background:#2e7d32} .b-degraded{background:#ef8f00} .b-failed,.b-timeout,.b-crashed{background:#c62828}
.b-halted_cap{background:#8e24aa} .b-refused_kill,.b-killed{background:#37474f} .b-running{background:#1e88e5}
.b-skipped_overlap,.b-skipped_done{background:#bdbdbd} .b-quiet{background:#90a4ae}
.s-ok{color:#1b5e20} .s-degraded{color:#a84300} .s-failed,.s-crashed,.s-timeout{color:#b71c1c} .s-halted_cap{color:#6a1b9a} .s-quiet{color:#455a64}
.facts{margin:0;padding-left:20px} .facts li{margin:2px 0}
.chart svg{display:block;width:100%;height:auto} .narrow{max-width:420px} .wide{display:none;max-width:720px}
.box{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{border:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px;overflow-wrap:normal}
td.i,th{white-space:nowrap}
.digest{background:#fff;border:1px solid #ddd;padding:4px 14px;border-radius:6px}
@media (max-width:640px){
 .rows thead{display:none}
 .rows,.rows tbody,.rows tr,.rows td{display:block;width:100%}
 .rows tr{border:1px solid #ddd;border-radius:6px;margin-bottom:8px;background:#fff;padding:4px 0}
 .rows td{border:0;padding:2px 8px;display:flex;gap:8px}
 .rows td::before{content:attr(data-label);flex:0 0 84px;color:#666;font-size:12px}
 .rows td{white-space:normal;overflow-wrap:anywhere}
 .rows td.i{display:inline-block;width:auto;padding-right:0;white-space:nowrap} .rows td.i::before{content:none}
 .rows td.i+td.i::before{content:"· ";color:#666}
 .rows td:empty{display:none}
}
@media (min-width:700px){.figs{grid-template-columns:repeat(4,1fr)} body{padding:16px} .wide{display:block} .narrow{display:none}}
`;

export const PAGE_CSS_HASH = `sha256-${createHash("sha256").update(PAGE_CSS, "utf8").digest("base64")}`;
