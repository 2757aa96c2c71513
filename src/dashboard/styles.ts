/**
 * The dashboard's stylesheet, served as `/_dashboard/app.css`.
 * @module
 */

/** CSS for every dashboard page and the login page. */
export const STYLES = String.raw`
:root {
  --bg: #f6f7f9; --panel: #fff; --ink: #1d2330; --muted: #6b7385; --line: #e3e6ec; --accent: #4f46e5;
  --queued: #b7791f; --running: #2563eb; --completed: #15803d; --failed: #dc2626; --cancelled: #6b7280;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 20px 0 8px; }
header.top { display: flex; align-items: center; gap: 20px; padding: 0 24px; height: 52px; background: #111827; color: #e5e7eb; }
header.top .brand { font-weight: 700; letter-spacing: .2px; color: #fff; }
header.top nav { display: flex; gap: 4px; flex: 1; }
header.top nav a { color: #cbd5e1; padding: 6px 10px; border-radius: 6px; }
header.top nav a.active, header.top nav a:hover { background: #1f2937; color: #fff; text-decoration: none; }
header.top .mode { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #374151; }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 16px; margin-bottom: 16px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 12px 0; }
.toolbar .grow { flex: 1; }
input, select, textarea, button { font: inherit; }
input[type=text], input[type=url], input[type=password], select, textarea {
  border: 1px solid var(--line); border-radius: 6px; padding: 6px 9px; background: #fff; color: var(--ink); }
textarea { width: 100%; min-height: 180px; font-family: var(--mono); font-size: 13px; }
button { border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 6px 12px; cursor: pointer; }
button:hover { border-color: #c5cad4; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button.danger { color: var(--failed); border-color: #f3c4c4; }
button:disabled { opacity: .55; cursor: default; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .4px; }
th, td { padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr.link { cursor: pointer; }
tr.link:hover td { background: #f9fafb; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
.pill.queued { background: var(--queued); } .pill.running { background: var(--running); }
.pill.completed { background: var(--completed); } .pill.failed, .pill.errored { background: var(--failed); }
.pill.cancelled { background: var(--cancelled); }
.tag { display: inline-block; padding: 1px 7px; margin: 1px 4px 1px 0; border-radius: 5px; background: #eef0f4; font-size: 12px; }
.tag.flow { background: #ede9fe; color: #4c1d95; }
.error-box { border: 1px solid #f3c4c4; background: #fef2f2; color: #991b1b; border-radius: 8px; padding: 10px 12px; }
.empty { text-align: center; padding: 36px 16px; color: var(--muted); }
.empty h3 { color: var(--ink); margin: 0 0 8px; font-size: 16px; }
.empty ol { text-align: left; display: inline-block; margin: 8px 0 0; }
.empty code, .hint code { background: #eef0f4; padding: 1px 5px; border-radius: 4px; }
.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px 20px; margin-top: 12px; }
.meta > div > span:first-child { display: block; font-size: 12px; color: var(--muted); }
.json { background: #f8fafc; border: 1px solid var(--line); border-radius: 6px; padding: 10px; max-height: 360px; overflow: auto; }
.toast { position: fixed; right: 20px; bottom: 20px; background: #111827; color: #fff; padding: 10px 14px; border-radius: 8px; z-index: 30; max-width: 420px; }
.toast a { color: #a5b4fc; }
.modal-back { position: fixed; inset: 0; background: rgba(17,24,39,.45); display: flex; align-items: flex-start; justify-content: center; padding-top: 10vh; z-index: 20; }
.modal { background: #fff; border-radius: 12px; width: min(640px, 92vw); padding: 18px; box-shadow: 0 20px 50px rgba(0,0,0,.25); }
.modal .invalid { color: var(--failed); font-size: 12px; min-height: 18px; margin-top: 6px; }
.waterfall { border: 1px solid var(--line); border-radius: 10px; background: #fff; overflow: hidden; }
.wf-row { display: grid; grid-template-columns: 260px 1fr 90px; align-items: center; border-bottom: 1px solid var(--line); min-height: 38px; }
.wf-row:last-child { border-bottom: 0; }
.wf-row.step { cursor: pointer; }
.wf-row.step:hover { background: #fafbfc; }
.wf-row.open { background: #f5f7ff; }
.wf-label { padding: 6px 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.wf-label .op { font-size: 11px; color: var(--muted); margin-left: 6px; }
.wf-track { position: relative; height: 38px; border-left: 1px solid var(--line); border-right: 1px solid var(--line); }
.wf-grid { position: absolute; top: 0; bottom: 0; border-left: 1px dashed #eceef3; }
.wf-bar { position: absolute; top: 11px; height: 16px; border-radius: 4px; min-width: 4px; }
.wf-bar.queued { background: #fde68a; } .wf-bar.running { background: var(--running); }
.wf-bar.completed { background: var(--completed); } .wf-bar.failed { background: var(--failed); }
.wf-bar.errored { background: #f59e0b; } .wf-bar.cancelled { background: #9ca3af; }
.wf-bar.wait { background: repeating-linear-gradient(45deg, #c7d2fe, #c7d2fe 5px, #e0e7ff 5px, #e0e7ff 10px); border: 1px solid #818cf8; }
.wf-bar.unfinished { opacity: .55; }
.wf-bar .lbl { position: absolute; left: 100%; margin-left: 6px; top: -1px; font-size: 11px; color: var(--muted); white-space: nowrap; }
.wf-dur { padding: 0 12px; text-align: right; font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.wf-axis { display: grid; grid-template-columns: 260px 1fr 90px; font-size: 11px; color: var(--muted); background: #fafbfc; border-bottom: 1px solid var(--line); }
.wf-axis .ticks { position: relative; height: 24px; }
.wf-axis .ticks span { position: absolute; top: 5px; transform: translateX(-50%); white-space: nowrap; }
.wf-axis .ticks span:first-child { transform: translateX(4px); }
.wf-axis .ticks span:last-child { transform: translateX(calc(-100% - 4px)); }
.wf-detail { padding: 12px 16px 16px; border-bottom: 1px solid var(--line); background: #fbfcff; }
.wf-detail .meta { margin: 0 0 10px; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin: 8px 2px; }
.legend i { display: inline-block; width: 12px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.login { max-width: 420px; margin: 12vh auto; }
.login input { width: 100%; margin: 8px 0 12px; }
.loading { display: flex; align-items: center; gap: 8px; color: var(--muted); padding: 12px 0; }
.spinner { width: 14px; height: 14px; border: 2px solid var(--line); border-top-color: var(--accent); border-radius: 50%; animation: spin .8s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 0 16px; }
.chart { min-height: 200px; }
.chart .u-legend { font-size: 12px; margin-top: 4px; }
.chart .u-legend tr { display: inline-flex; align-items: center; gap: 4px; margin-right: 14px; }
.chart .u-legend th, .chart .u-legend td { padding: 0; border: 0; font-weight: normal; text-transform: none; letter-spacing: 0; color: var(--ink); }
.chart .u-legend .u-marker { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
.chart .u-legend .u-off { opacity: .4; }
.chart .u-over, .chart .u-under { position: absolute; }
.chart .uplot, .chart .u-wrap { position: relative; }
.metrics-totals th { text-align: left; font-weight: normal; color: var(--muted); width: 50%; }
.attempts { margin: 8px 0; }
.attempts .attempt { border-left: 3px solid #f59e0b; padding: 4px 8px; margin: 4px 0; background: #fffbeb; }
.attempts .attempt.last { border-left-color: var(--failed); background: #fef2f2; }
`;
