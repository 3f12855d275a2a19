// Runs report.html's script against a minimal DOM (no browser needed) and prints what it drew, as JSON:
//   node tests/report_dom.js report.html
// The DOM here has just what the script touches: the explorer's controls, the chart, and no tables.
const fs = require('fs');
const page = fs.readFileSync(process.argv[2], 'utf8');
const dataStart = page.indexOf('<script type="application/json" id="optarena-data">');
const dataText = page.slice(page.indexOf('>', dataStart) + 1, page.indexOf('</script>', dataStart));
const scriptStart = page.indexOf('<script>', dataStart);
const script = page.slice(scriptStart + 8, page.indexOf('</script>', scriptStart));

class Node_ {
  constructor(tag) { this.tag = tag; this.children = []; this.attributes = {}; this.listeners = {}; this.textContent = ''; }
  setAttribute(k, v) { this.attributes[k] = String(v); }
  appendChild(child) { this.children.push(child); child.parent = this; return child; }
  removeChild(child) { this.children.splice(this.children.indexOf(child), 1); return child; }
  get firstChild() { return this.children[0] || null; }
  addEventListener(type, listener) { (this.listeners[type] = this.listeners[type] || []).push(listener); }
  all() { return this.children.flatMap(c => [c, ...c.all()]); }
  querySelectorAll(selector) {
    const inputs = this.all().filter(n => n.tag === 'input');
    return selector === 'input:checked' ? inputs.filter(n => n.checked) : inputs;
  }
  set innerHTML(html) {  // a label with one checkbox
    const input = new Node_('input');
    input.value = /value="([^"]*)"/.exec(html)[1];
    input.checked = /checked/.test(html);
    this.appendChild(input);
  }
}
const byId = {};
for (const id of ['place', 'y', 'chart', 'optimizers', 'xlog', 'bands', 'svg', 'png', 'all', 'none', 'explorer']) {
  byId[id] = new Node_(id === 'chart' ? 'svg' : 'div');
}
byId['optarena-data'] = {textContent: dataText};
const tableStart = page.indexOf('id="significance"');  // the tests' table, read as the script reads it
if (tableStart >= 0) {
  const html = page.slice(tableStart, page.indexOf('</table>', tableStart));
  const texts = (part, tag) => [...part.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(m => ({textContent: m[1]}));
  const [head, body] = html.split('<tbody>');
  byId.significance = {tHead: {rows: [{cells: texts(head, 'th')}]},
    tBodies: [{rows: body.split('<tr>').slice(1).map(row => ({cells: texts(row, 'td')}))}]};
  byId['matrix-place'] = {options: [], value: '', add(option) { this.options.push(option); if (!this.value) this.value = option.value; },
    addEventListener() {}};
  byId.matrix = {};
}
byId.xlog.checked = true;
byId.bands.checked = true;
byId.place.value = '0';
byId.place.options = [];
byId.place.add = option => byId.place.options.push(option);
byId.y.options = [];
byId.y.value = '';
byId.y.add = option => byId.y.options.push(option);
byId.y.remove = index => byId.y.options.splice(index, 1);
global.Option = function (text, value) { this.text = text; this.value = value; };
global.document = {
  getElementById: id => byId[id],
  createElement: tag => new Node_(tag),
  createElementNS: (ns, tag) => new Node_(tag),
  querySelector: () => ({value: 'epochs'}),
  querySelectorAll: () => [],
};
const paths = () => byId.chart.all().filter(n => n.tag === 'path').length;
eval(script);
const drawn = paths();
const first = byId.optimizers.querySelectorAll('input:checked')[0];
first.checked = false;
byId.explorer.listeners.change.forEach(listener => listener());
console.log(JSON.stringify({places: byId.place.options.length, y: byId.y.options.map(o => o.value), shown: byId.y.value, optimizers: byId.optimizers.querySelectorAll('input').length,
  drawn, afterUnchecking: paths(), texts: byId.chart.all().filter(n => n.tag === 'text').length,
  matrixCells: byId.matrix ? (byId.matrix.innerHTML.match(/<td title=/g) || []).length : null}));
