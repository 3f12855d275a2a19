// The interactive report's script (experiments/report/explorer.py embeds it in report.html).
(function () {
  const data = JSON.parse(document.getElementById('optarena-data').textContent);
  const place = document.getElementById('place'), chart = document.getElementById('chart');
  const yAxis = document.getElementById('y');
  const fillY = () => {  // the quantities the chosen place has curves of; the one shown is kept where it can be
    const had = yAxis.value || data.first, names = [...new Set(data.places[+place.value].curves.flatMap(c => Object.keys(c.series)))];
    while (yAxis.options.length) yAxis.remove(0);
    names.forEach(n => yAxis.add(new Option(n, n)));
    yAxis.value = names.includes(had) ? had : names[0];
  };
  const boxes = document.getElementById('optimizers');
  const esc = t => t.replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'})[c]);  // names into HTML
  const NS = 'http://www.w3.org/2000/svg';
  data.places.forEach((p, i) => place.add(new Option(p.name, i)));
  const names = [...new Set(data.places.flatMap(p => p.curves.map(c => c.optimizer)))];
  // each optimizer's colour and dash are its figures' (interactive.svg_style); the view opens with the leaders that
  // rank best in some place (interactive.SHOWN_FIRST), the rest a click away
  const first = new Set(data.places.flatMap(p => p.curves.filter(c => c.rank !== null && c.rank < data.shown_first)
    .map(c => c.optimizer)));
  const colour = n => data.styles[n].colour, dash = n => data.styles[n].dash.split(',').map(v => v * 1.8).join(',');
  names.forEach(n => {
    const label = document.createElement('label');
    const on = first.has(n) ? ' checked' : '';
    label.innerHTML = `<input type="checkbox" value="${esc(n)}"${on}> <svg width="26" height="8"><line x1="1" x2="25" ` +
      `y1="4" y2="4" stroke="${colour(n)}" stroke-width="1.8" stroke-dasharray="${dash(n)}"/></svg> ${esc(n)}`;
    boxes.appendChild(label);
  });
  const el = (tag, attrs, parent) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  };
  const ticks = (lo, hi, log) => {
    if (log) {  // decades; within less than two decades also 2 and 5 times each
      const out = [], steps = hi - lo < 2 ? [1, 2, 5] : [1];
      for (let e = Math.floor(lo); e <= Math.ceil(hi); e += Math.max(1, Math.ceil((hi - lo) / 8)))
        steps.forEach(m => out.push(e + Math.log10(m)));
      return out;
    }
    const step = Math.pow(10, Math.floor(Math.log10((hi - lo) / 5 || 1)));
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi; v += step * Math.ceil((hi - lo) / step / 8)) out.push(v);
    return out;
  };
  const logLabels = ts => {  // one notation per axis: 0.05, 1, 20, 1000 where every tick fits, else 1e-8, 2e5
    const plain = ts.every(t => t > -2.000001 && t < 4);
    return ts.map(t => { const e = Math.floor(t + 1e-9), m = Math.round(Math.pow(10, t - e));
      return plain ? String(+(m * Math.pow(10, e)).toPrecision(2)) : m + 'e' + e; });
  };
  function draw() {
    const p = data.places[+place.value];
    const xKind = document.querySelector('input[name=x]:checked').value;
    const xLog = document.getElementById('xlog').checked, bands = document.getElementById('bands').checked;
    const chosen = new Set([...boxes.querySelectorAll('input:checked')].map(b => b.value));
    while (chart.firstChild) chart.removeChild(chart.firstChild);
    const W = 900, H = 500, L = 70, R = 20, T = 30, B = 50;
    const scale = c => xKind === 'epochs' ? 1 : xKind === 'evaluations' ? c.evaluations_per_epoch : c.seconds_per_epoch;
    const y = yAxis.value;
    const series = p.curves.filter(c => chosen.has(c.optimizer) && c.series[y]).map(c => ({c, points: c.epochs.map((e, i) => [
      e * scale(c), c.series[y].median[i], c.series[y].q1[i], c.series[y].q3[i]]).filter(q => q[1] !== null && (!xLog || q[0] > 0))}));
    const xs = series.flatMap(s => s.points.map(q => q[0])), ys = series.flatMap(s => s.points.flatMap(q => q.slice(1)))
      .filter(v => v !== null && v > 0);
    el('text', {x: L, y: 18, 'font-size': 14}, chart).textContent =
      `${p.name}: median ${y} and quartiles`;
    if (!xs.length || !ys.length) {
      el('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle'}, chart).textContent = 'no runs chosen';
      return;
    }
    const fx = v => xLog ? Math.log10(v) : v;
    let [x0, x1] = [Math.min(...xs.map(fx)), Math.max(...xs.map(fx))];
    if (x1 === x0) x1 = x0 + 1;
    let [y0, y1] = [Math.log10(Math.min(...ys)), Math.log10(Math.max(...ys))];
    if (y1 === y0) y1 = y0 + 1;
    const sx = v => L + (fx(v) - x0) / (x1 - x0) * (W - L - R), sy = v => T + (y1 - Math.log10(v)) / (y1 - y0) * (H - T - B);
    const axes = el('g', {'font-size': 11, stroke: 'none'}, chart);
    el('rect', {x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#999'}, axes);
    const yTicks = ticks(y0, y1, true), yLabels = logLabels(yTicks);
    yTicks.forEach((e, i) => {
      const y = sy(Math.pow(10, e));
      if (y < T || y > H - B) return;
      el('line', {x1: L, x2: W - R, y1: y, y2: y, stroke: '#eee'}, axes);
      el('text', {x: L - 6, y: y + 4, 'text-anchor': 'end'}, axes).textContent = yLabels[i];
    });
    const xTicks = ticks(x0, x1, xLog), xLabels = xLog ? logLabels(xTicks) : xTicks.map(v => +v.toPrecision(3));
    xTicks.forEach((t, i) => {
      const x = sx(xLog ? Math.pow(10, t) : t);
      if (x < L || x > W - R) return;
      el('line', {x1: x, x2: x, y1: T, y2: H - B, stroke: '#eee'}, axes);
      el('text', {x: x, y: H - B + 16, 'text-anchor': 'middle'}, axes).textContent = xLabels[i];
    });
    el('text', {x: (L + W - R) / 2, y: H - 10, 'text-anchor': 'middle'}, axes).textContent =
      {epochs: 'epochs', evaluations: 'gradient evaluations', seconds: 'seconds (population wall clock)'}[xKind];
    el('text', {x: 16, y: (T + H - B) / 2, transform: `rotate(-90 16 ${(T + H - B) / 2})`, 'text-anchor': 'middle'}, axes)
      .textContent = y;
    series.forEach(({c, points}) => {
      if (bands) {
        const band = points.filter(q => q[2] !== null && q[3] !== null && q[2] > 0 && q[3] > 0);
        if (band.length > 1) el('path', {d: 'M' + band.map(q => `${sx(q[0])},${sy(q[3])}`).join('L') + 'L' +
          band.slice().reverse().map(q => `${sx(q[0])},${sy(q[2])}`).join('L') + 'Z', fill: colour(c.optimizer),
          'fill-opacity': 0.12, stroke: 'none'}, chart);
      }
      const line = points.filter(q => q[1] > 0);
      if (line.length) el('path', {d: 'M' + line.map(q => `${sx(q[0])},${sy(q[1])}`).join('L'), fill: 'none',
        stroke: colour(c.optimizer), 'stroke-width': 1.8, 'stroke-dasharray': dash(c.optimizer)}, chart).appendChild(document.createElementNS(NS, 'title'))
        .textContent = c.optimizer + (c.note ? ': ' + c.note : '');
    });
  }
  const save = (blob, name) => { const a = document.createElement('a'); a.href = URL.createObjectURL(blob); a.download = name; a.click(); };
  const svgText = () => new XMLSerializer().serializeToString(chart);
  document.getElementById('svg').onclick = () => save(new Blob([svgText()], {type: 'image/svg+xml'}), 'explorer.svg');
  document.getElementById('png').onclick = () => {
    const img = new Image(), canvas = document.createElement('canvas');
    canvas.width = 1800; canvas.height = 1000;
    img.onload = () => { const g = canvas.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 1800, 1000);
      g.drawImage(img, 0, 0, 1800, 1000); canvas.toBlob(b => save(b, 'explorer.png')); };
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svgText());
  };
  document.getElementById('all').onclick = e => { e.preventDefault(); boxes.querySelectorAll('input').forEach(b => b.checked = true); draw(); };
  document.getElementById('none').onclick = e => { e.preventDefault(); boxes.querySelectorAll('input').forEach(b => b.checked = false); draw(); };
  place.addEventListener('change', fillY);
  document.getElementById('explorer').addEventListener('change', draw);
  fillY();
  draw();
  document.querySelectorAll('button.download').forEach(button => button.addEventListener('click', () => {
    const image = button.closest('.figure').querySelector('img'), a = document.createElement('a');
    a.href = image.src;
    a.download = button.dataset.name + '.' + image.src.slice(11, image.src.indexOf(';')).replace('jpeg', 'jpg');
    a.click();
  }));
  const tests = document.getElementById('significance'), matrixPlace = document.getElementById('matrix-place');
  if (tests && matrixPlace) {  // the pairwise tests of one place as a matrix, read from the table's rows
    const heads = [...tests.tHead.rows[0].cells].map(c => c.textContent.trim()), at = name => heads.indexOf(name);
    const rows = [...tests.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent.trim()));
    const places = [...new Set(rows.map(r => r[at('task')] + ' · ' + r[at('schedule')]))];
    places.forEach(p => matrixPlace.add(new Option(p, p)));
    const drawMatrix = () => {
      const mine = rows.filter(r => r[at('task')] + ' · ' + r[at('schedule')] === matrixPlace.value);
      const names = [...new Set(mine.flatMap(r => [r[at('a')], r[at('b')]]))], cell = {};
      mine.forEach(r => { const a = r[at('a')], b = r[at('b')], faster = r[at('faster')], sure = r[at('significant')] === 'yes';
        cell[a + '|' + b] = [faster === a ? 1 : faster === b ? -1 : 0, sure]; cell[b + '|' + a] = [faster === b ? 1 : faster === a ? -1 : 0, sure]; });
      const colour = ([sign, sure]) => sign === 0 ? '#eee' : `rgba(${sign > 0 ? '34,136,51' : '204,51,17'},${sure ? 0.85 : 0.25})`;
      document.getElementById('matrix').innerHTML = '<table><tr><th></th>' + names.map((n, i) => `<th title="${esc(n)}">${i + 1}</th>`).join('') + '</tr>' +
        names.map((a, i) => `<tr><th>${i + 1} · ${esc(a)}</th>` + names.map(b => a === b ? '<td>·</td>' :
          `<td title="${esc(a)} vs ${esc(b)}" style="background:${colour(cell[a + '|' + b] || [0, false])}"></td>`).join('') + '</tr>').join('') + '</table>';
    };
    matrixPlace.addEventListener('change', drawMatrix);
    drawMatrix();
  }
  document.querySelectorAll('table.sortable').forEach(table => {
    table.querySelectorAll('thead th').forEach((th, column) => th.addEventListener('click', () => {
      const body = table.tBodies[0], rows = [...body.rows], up = th.dataset.order !== 'up';
      const value = r => { const t = r.cells[column].textContent.trim(), n = parseFloat(t.replace(/[^0-9eE+.\-]/g, ''));
        return isNaN(n) ? t : n; };
      rows.sort((a, b) => { const [x, y] = [value(a), value(b)];
        return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * (up ? 1 : -1); });
      th.dataset.order = up ? 'up' : 'down';
      rows.forEach(r => body.appendChild(r));
    }));
  });
  document.querySelectorAll('input.filter').forEach(box => box.addEventListener('input', () => {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    [...document.getElementById(box.dataset.table).tBodies[0].rows].forEach(r => {
      const text = r.textContent.toLowerCase();
      r.style.display = words.every(w => text.includes(w)) ? '' : 'none';
    });
  }));
})();
