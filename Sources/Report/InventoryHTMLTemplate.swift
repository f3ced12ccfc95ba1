/// The Mustache template of the inventory page (`ballast inventory --format html`): one self-contained
/// page, inline CSS, no script, no external asset. Every `{{value}}` is HTML-escaped by Mustache; the
/// template has no triple-brace (unescaped) tag, and must never get one.
let inventoryHTMLTemplate = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ballast storage inventory</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1400px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.meta{color:#59636e;font-size:13px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d1d9e0;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e9ed;vertical-align:top}
th{background:#f0f3f6;font-weight:600}
td ul{margin:0;padding-left:14px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.alert{background:#fbefff;border:1px solid #c297ff;border-radius:8px;padding:10px 16px}
.none{color:#cf222e;font-weight:600}.dim{color:#59636e}
.bar{display:inline-block;height:10px;background:#0969da;vertical-align:middle}
.bar.warn{background:#9a6700}.bar.high{background:#cf222e}
</style>
</head>
<body>
<main>
<h1>Storage inventory</h1>
<div class="meta">{{summary}}</div>
{{#isIncomplete}}<h2>Incomplete</h2>
<div class="alert"><p>What these held is missing from the inventory:</p><ul>{{#incomplete}}<li>{{.}}</li>{{/incomplete}}</ul></div>
{{/isIncomplete}}

<h2>Data stores</h2>
<table id="stores"><thead><tr><th>store</th><th>engine</th><th>replicas</th><th>volumes (class, reclaim, per replica, total)</th><th>total</th><th>retention (deleted/scaled)</th><th>backups</th><th>RPO</th><th>RTO</th><th>PDB</th><th>alerts</th></tr></thead><tbody>
{{#stores}}<tr><td><code>{{store}}</code>{{#source}}<br><span class="dim">{{source}}</span>{{/source}}{{^source}} <span class="dim">(live only)</span>{{/source}}</td>
<td>{{engine}}</td><td>{{replicas}}{{#liveReplicas}} <span class="dim">(live {{liveReplicas}})</span>{{/liveReplicas}}</td>
<td><ul>{{#volumes}}<li><code>{{name}}</code>: {{class}}{{#reclaim}}, {{reclaim}}{{/reclaim}}, {{size}} × replicas = {{total}}</li>{{/volumes}}</ul></td>
<td>{{total}}</td><td>{{retention}}</td>
<td>{{#hasBackups}}<ul>{{#backups}}<li>{{mechanism}} <code>{{object}}</code>{{#schedule}} <code>{{schedule}}</code>{{/schedule}}</li>{{/backups}}</ul>{{/hasBackups}}{{^hasBackups}}<span class="none">none</span>{{/hasBackups}}</td>
<td>{{rpo}}</td><td>{{rto}}</td>
<td>{{#hasPDBs}}{{#pdbs}}<code>{{.}}</code> {{/pdbs}}{{/hasPDBs}}{{^hasPDBs}}<span class="none">none</span>{{/hasPDBs}}</td>
<td>{{#hasAlerts}}{{#alerts}}<code>{{.}}</code> {{/alerts}}{{/hasAlerts}}{{^hasAlerts}}<span class="none">none</span>{{/hasAlerts}}</td></tr>
{{/stores}}</tbody></table>

<h2>StorageClasses</h2>
<table id="classes"><thead><tr><th>class</th><th>provisioner</th><th>tier</th><th>reclaim</th><th>binding</th><th>expansion</th><th>defined in</th><th>used by</th></tr></thead><tbody>
{{#classes}}<tr><td><code>{{name}}</code>{{#isDefault}} <span class="dim">(default)</span>{{/isDefault}}</td><td>{{provisioner}}</td><td>{{tier}}</td><td>{{reclaim}}</td><td>{{binding}}</td><td>{{expansion}}</td><td>{{definedIn}}</td><td>{{#users}}<code>{{.}}</code><br>{{/users}}</td></tr>
{{/classes}}</tbody></table>

{{#hasLive}}
<h2>Live usage</h2>
{{#hasUsage}}<table id="usage"><thead><tr><th>claim</th><th>used</th><th>capacity</th><th>used %</th></tr></thead><tbody>
{{#usage}}<tr><td><code>{{claim}}</code></td><td>{{used}}</td><td>{{capacity}}</td><td><span class="bar {{level}}" style="width:{{barWidth}}px"></span> {{percent}}</td></tr>
{{/usage}}</tbody></table>{{/hasUsage}}
{{^hasUsage}}<p class="dim">No kubelet stats for the stores' claims.</p>{{/hasUsage}}
{{/hasLive}}
</main>
</body>
</html>
"""#
