/// The Mustache template of the HTML report: one self-contained page (inline CSS and SVG, no script, no
/// external asset). Every `{{value}}` is HTML-escaped by Mustache (`<`, `>`, `&`, `"`, `'`), in text and in
/// attributes alike; the template has no triple-brace (unescaped) tag, and must never get one.
let htmlReportTemplate = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ballast {{command}} report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.meta{color:#59636e;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.card{background:#fff;border:1px solid #d1d9e0;border-radius:8px;padding:12px 16px;min-width:150px}
.card .n{font-size:26px;font-weight:600}.card .l{color:#59636e;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card ul{margin:4px 0 0;padding-left:16px;font-size:12px}
.verdict-passed{border-left:6px solid #1a7f37}.verdict-warnings{border-left:6px solid #9a6700}
.verdict-blocked,.verdict-drift{border-left:6px solid #cf222e}.verdict-incomplete{border-left:6px solid #8250df}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d1d9e0;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e9ed;vertical-align:top}
th{background:#f0f3f6;font-weight:600}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.sev-error,.cls-recreate-data-risk{color:#cf222e;font-weight:600}.sev-warning,.cls-recreate{color:#9a6700;font-weight:600}
.sev-info{color:#0969da}.waived{color:#59636e}.arrow{color:#59636e}
.alert{background:#fbefff;border:1px solid #c297ff;border-radius:8px;padding:10px 16px}
svg text{font:12px system-ui,sans-serif;fill:#1f2328}
.empty{color:#59636e}
</style>
</head>
<body>
<main>
<h1>Ballast {{command}} report</h1>
<div class="meta">{{#startedAt}}started {{startedAt}} · {{/startedAt}}{{#duration}}took {{duration}} · {{/duration}}ballast {{toolVersion}}{{#toolVersions}} · {{name}} {{version}}{{/toolVersions}}</div>

<section class="cards" id="summary">
<div class="card verdict-{{verdict}}" id="verdict"><div class="l">verdict</div><div class="n">{{verdictLabel}}</div></div>
<div class="card" id="errors"><div class="l">errors</div><div class="n">{{errors}}</div></div>
<div class="card" id="warnings"><div class="l">warnings</div><div class="n">{{warnings}}</div></div>
{{#hasComparison}}<div class="card" id="drift-count"><div class="l">drift items</div><div class="n">{{driftTotal}}</div><ul>{{#driftClasses}}{{#nonzero}}<li>{{count}} {{name}}</li>{{/nonzero}}{{/driftClasses}}</ul></div>{{/hasComparison}}
<div class="card" id="incomplete"><div class="l">incomplete sources</div><div class="n">{{incompleteCount}}</div></div>
<div class="card"><div class="l">checked</div><div class="n">{{objects}}</div><ul><li>{{files}}</li>{{#compared}}<li>{{compared}} compared</li>{{/compared}}{{#waived}}<li>{{waived}} waived</li>{{/waived}}</ul></div>
</section>

{{#isIncomplete}}
<h2>Incomplete</h2>
<div class="alert"><p>Some sources could not be read or compared, so this report is not a verdict.</p><ul>
{{#failures}}<li>could not read <code>{{source}}</code>: {{reason}}</li>{{/failures}}
{{#uncompared}}<li>not compared <code>{{object}}</code>{{#location}} (<code>{{location}}</code>){{/location}}: {{reason}}</li>{{/uncompared}}
</ul></div>
{{/isIncomplete}}

<h2>Findings</h2>
{{#hasFindings}}
<table id="rules"><thead><tr><th>rule</th><th>severity</th><th>findings</th></tr></thead><tbody>
{{#rules}}<tr><td><code>{{rule}}</code></td><td class="sev-{{severity}}">{{severity}}</td><td>{{count}}</td></tr>
{{/rules}}</tbody></table>
<p></p>
<table id="findings"><thead><tr><th>severity</th><th>rule</th><th>object</th><th>location</th><th>message</th><th>fix</th></tr></thead><tbody>
{{#findings}}<tr class="finding{{#waiver}} waived{{/waiver}}"><td class="sev-{{severity}}">{{severity}}{{#waiver}} (waived: {{waiver}}){{/waiver}}</td><td><code>{{rule}}</code></td><td><code>{{object}}</code></td><td><code>{{location}}</code></td><td>{{message}}</td><td>{{remediation}}</td></tr>
{{/findings}}</tbody></table>
{{#findingsMore}}<p class="empty">{{findingsMore}}</p>{{/findingsMore}}
{{/hasFindings}}
{{^hasFindings}}<p class="empty">No findings{{#isIncomplete}} in what was read{{/isIncomplete}}.</p>{{/hasFindings}}

{{#hasComparison}}
<h2>Drift</h2>
{{#driftChart}}
<svg id="drift-chart" role="img" aria-label="drift items by class" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}">
{{#bars}}<text x="0" y="{{textY}}">{{name}}</text><rect x="150" y="{{y}}" width="{{barWidth}}" height="16" fill="{{color}}"></rect><text x="{{countX}}" y="{{textY}}">{{count}}</text>
{{/bars}}</svg>
{{/driftChart}}
{{#hasDrift}}
<table id="drift"><thead><tr><th>object</th><th>path</th><th>desired → live</th><th>class</th><th>who</th><th>when</th><th>fix</th></tr></thead><tbody>
{{#drift}}<tr class="drift-item"><td><code>{{object}}</code>{{#location}}<br><code class="waived">{{location}}</code>{{/location}}</td><td><code>{{path}}</code></td><td><code>{{desired}}</code> <span class="arrow">→</span> <code>{{live}}</code></td><td class="cls-{{class}}">{{class}}{{#status}} ({{status}}{{#firstSeen}} since {{firstSeen}}{{/firstSeen}}){{/status}}</td><td>{{who}}</td><td>{{when}}</td><td>{{#message}}{{message}}. {{/message}}{{remediation}}</td></tr>
{{/drift}}</tbody></table>
{{#driftMore}}<p class="empty">{{driftMore}}</p>{{/driftMore}}
{{/hasDrift}}
{{^hasDrift}}<p class="empty">{{noDriftText}}</p>{{/hasDrift}}
{{/hasComparison}}

{{#pvcChart}}
<h2>PVC usage</h2>
<svg id="pvc-usage" role="img" aria-label="PVC usage" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}">
{{#bars}}<text x="0" y="{{textY}}">{{name}}</text><rect x="{{trackX}}" y="{{y}}" width="{{trackWidth}}" height="14" fill="#e5e9ed"></rect><rect x="{{trackX}}" y="{{y}}" width="{{barWidth}}" height="14" fill="{{color}}"></rect><text x="{{percentX}}" y="{{textY}}">{{percent}}</text>
{{/bars}}<line x1="{{mark80}}" y1="0" x2="{{mark80}}" y2="{{marksBottom}}" stroke="#9a6700" stroke-dasharray="3 2"></line><line x1="{{mark90}}" y1="0" x2="{{mark90}}" y2="{{marksBottom}}" stroke="#cf222e" stroke-dasharray="3 2"></line><text x="{{mark80}}" y="{{labelY}}" text-anchor="middle">80 %</text><text x="{{mark90}}" y="{{labelY}}" text-anchor="middle">90 %</text>
</svg>
{{#pvcMore}}<p class="empty">{{pvcMore}}</p>{{/pvcMore}}
{{/pvcChart}}

{{#hasBackups}}
<h2>Backups</h2>
<table id="backups"><thead><tr><th>CronJob</th><th>last success</th></tr></thead><tbody>
{{#backups}}<tr><td><code>{{name}}</code></td><td>{{age}}</td></tr>
{{/backups}}</tbody></table>
{{/hasBackups}}
</main>
</body>
</html>

"""#
