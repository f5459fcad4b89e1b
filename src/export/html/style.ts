/** The page's stylesheet: system fonts only (nothing to fetch), light and dark schemes. */
export const PAGE_STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1d1d1f;--dim:#6b6b70;--line:#d8d8dc;--head:#f2f2f5;--accent:#1a4d99;--bad:#b3261e;--alert-bg:#fff4e5;--alert-line:#e8a33d;--bar:#4c7fc0;--g0:#4c9be8;--g1:#e8a33d;--g2:#d9534f;--gx:#888}
@media (prefers-color-scheme:dark){:root{--bg:#17181b;--fg:#e6e6e9;--dim:#9a9aa2;--line:#3a3b40;--head:#222328;--accent:#8ab4f8;--bad:#f28b82;--alert-bg:#3a2a12;--alert-line:#c98a2a;--bar:#6d9fe0}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1400px;padding:16px 24px 48px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
h1{font-size:22px;margin:0 0 8px;word-break:break-all}
header{margin-bottom:20px}
h2{font-size:17px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:16px 0 4px;color:var(--dim)}
code,.m,td.l,dd{font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:12.5px}
.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
.summary dt{color:var(--dim)}
.summary dd{margin:0;word-break:break-all}
.none{color:var(--dim);font-style:italic}
.bad{color:var(--bad)}
.dim{color:var(--dim)}
.alert{background:var(--alert-bg);border:1px solid var(--alert-line);border-left-width:6px;border-radius:4px;padding:4px 16px 8px}
.alert h2{border:0;margin-top:8px}
.alert li{word-break:break-all}
.quiet h2{font-size:15px}
#flame{border:1px solid var(--line);border-radius:4px;overflow:hidden}
#flame svg{display:block}
.controls{margin:6px 0}
input[type=search]{font:inherit;padding:3px 6px;width:22em;max-width:100%;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:3px}
button{font:inherit;padding:2px 10px;cursor:pointer}
.scroll{overflow:auto;max-height:80vh;border:1px solid var(--line);border-radius:4px}
table{border-collapse:collapse;width:100%}
th,td{padding:2px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
td.l{white-space:normal;word-break:break-all;min-width:12em}
th{background:var(--head);position:sticky;top:0;font-weight:600}
#fn-table th{cursor:pointer;user-select:none}
#fn-table.windowed{table-layout:fixed}
#fn-table.windowed th:nth-child(1){width:22%}#fn-table.windowed th:nth-child(2){width:26%}
#fn-table.windowed td{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:32em}
#fn-table tr.spacer td{padding:0;border:0}
#fn-table th[aria-sort=ascending]::after{content:' \\25B2'}
#fn-table th[aria-sort=descending]::after{content:' \\25BC'}
.l{text-align:left}.r{text-align:right;font-variant-numeric:tabular-nums}
table.small{width:auto}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
.gen0{fill:var(--g0);background:var(--g0)}.gen1{fill:var(--g1);background:var(--g1)}.gen2{fill:var(--g2);background:var(--g2)}.gen-other{fill:var(--gx);background:var(--gx)}
svg.chart{display:block;max-width:100%;height:auto;overflow:visible}
svg.chart text{fill:var(--fg);font-size:11px;font-family:system-ui,sans-serif}
svg.chart .axis-title{fill:var(--dim)}
svg.chart .axis{stroke:var(--dim);stroke-width:1}
svg.chart .bar{fill:var(--bar)}
svg.chart rect:hover{opacity:.75}
.tree{font-size:13px}
.tree .head{color:var(--dim);font-weight:600;padding-left:16px}
.tree .t{display:inline-block;width:7em;text-align:right;margin-right:12px;font-variant-numeric:tabular-nums}
.tree details>summary{cursor:pointer}
.tree .leaf{padding-left:16px}
.tree .kids{margin-left:18px;border-left:1px dotted var(--line)}
#tip{position:fixed;z-index:10;pointer-events:none;max-width:480px;padding:4px 8px;border-radius:4px;background:#222;color:#fff;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 2px 6px rgba(0,0,0,.3);overflow-wrap:anywhere}
`.trim();
