// footfall status page: the editor's floor calibration card. Click floor points on the camera
// image, type their floor-plan positions (metres), check the fit on the server (reprojection
// error or the reason the set is unusable, plus the 1 m floor grid drawn over the image), save.
// Plain browser JavaScript, no build step.
'use strict';
(function () {
  var SVGNS = 'http://www.w3.org/2000/svg';
  var card = document.querySelector('[data-role="calibration"]');
  if (!card) return;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var camera = card.dataset.camera;
  var view = document.querySelector('section.cam[data-camera] [data-role="view"]');
  var svg = view ? view.querySelector('[data-role="overlay"]') : null;
  var rows = card.querySelector('[data-role="calib-rows"]');
  var result = card.querySelector('[data-role="calib-result"]');
  var placeBtn = card.querySelector('[data-action="calib-place"]');
  var layer = null;
  if (svg) {
    layer = document.createElementNS(SVGNS, 'g');
    layer.setAttribute('data-role', 'calib-layer');
    layer.setAttribute('class', 'calib-layer');
    svg.appendChild(layer);
  }
  /** Each point: [u, v, x, y]; x and y NaN until typed. */
  var points = [];
  try {
    points = JSON.parse(card.dataset.points || '[]');
  } catch (e) {
    points = [];
  }
  var grid = [];
  var placing = false;

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    parent.appendChild(e);
    return e;
  }
  function draw() {
    if (!layer) return;
    while (layer.firstChild) layer.removeChild(layer.firstChild);
    var vb = svg.viewBox.baseVal;
    var r = Math.max(3, vb.width / 160);
    grid.forEach(function (line) {
      el('polyline', { points: line.map(function (p) { return p[0] + ',' + p[1]; }).join(' '), class: 'calib-grid' }, layer);
    });
    points.forEach(function (p, i) {
      el('circle', { cx: p[0], cy: p[1], r: r, class: 'calib-point' }, layer);
      var t = el('text', { x: p[0] + r * 1.5, y: p[1] - r * 1.5, class: 'calib-label', 'font-size': r * 4 }, layer);
      t.textContent = String(i + 1);
    });
  }
  function render() {
    while (rows.firstChild) rows.removeChild(rows.firstChild);
    points.forEach(function (p, i) {
      var tr = document.createElement('tr');
      var cells = [String(i + 1), p[0].toFixed(1), p[1].toFixed(1)];
      cells.forEach(function (text) {
        var td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      });
      [2, 3].forEach(function (k) {
        var td = document.createElement('td');
        var input = document.createElement('input');
        input.type = 'number';
        input.step = 'any';
        input.setAttribute('data-role', k === 2 ? 'calib-x' : 'calib-y');
        input.setAttribute('aria-label', (k === 2 ? 'x' : 'y') + ' of point ' + (i + 1) + ' in metres');
        if (Number.isFinite(p[k])) input.value = String(p[k]);
        input.addEventListener('input', function () {
          p[k] = input.value === '' ? NaN : Number(input.value);
        });
        td.appendChild(input);
        tr.appendChild(td);
      });
      var del = document.createElement('td');
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.textContent = 'Remove';
      btn.addEventListener('click', function () {
        points.splice(i, 1);
        grid = [];
        render();
      });
      del.appendChild(btn);
      tr.appendChild(del);
      rows.appendChild(tr);
    });
    draw();
  }
  function say(text, bad) {
    result.textContent = text;
    result.className = bad ? 'error' : '';
  }
  function complete() {
    for (var i = 0; i < points.length; i++) {
      if (!Number.isFinite(points[i][2]) || !Number.isFinite(points[i][3])) {
        say('Type x and y (metres) for point ' + (i + 1) + '.', true);
        return null;
      }
    }
    return points.map(function (p) { return [p[0], p[1], p[2], p[3]]; });
  }
  function send(method, path, body) {
    return fetch(path, { method: method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body), credentials: 'same-origin' }).then(function (res) {
      return res.json().then(function (data) { return { status: res.status, data: data }; });
    });
  }
  function describe(r) {
    return 'Fits: mean ' + r.meanPx.toFixed(1) + ' px, worst ' + r.maxPx.toFixed(1) + ' px at point ' + (r.worstPoint + 1) + ' (' + r.maxM.toFixed(2) + ' m on the floor).';
  }

  if (view) {
    // Capture phase on the view: while placing, a click is a calibration point, not an edit.
    view.addEventListener('pointerdown', function (ev) {
      if (!placing) return;
      ev.stopPropagation();
      ev.preventDefault();
      var m = svg.getScreenCTM();
      if (!m) return;
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX;
      pt.y = ev.clientY;
      var s = pt.matrixTransform(m.inverse());
      points.push([Math.round(s.x * 10) / 10, Math.round(s.y * 10) / 10, NaN, NaN]);
      grid = [];
      render();
      var inputs = rows.querySelectorAll('[data-role="calib-x"]');
      if (inputs.length) inputs[inputs.length - 1].focus({ preventScroll: true });
    }, true);
  }
  placeBtn.addEventListener('click', function () {
    placing = !placing;
    placeBtn.setAttribute('aria-pressed', placing ? 'true' : 'false');
  });
  card.querySelector('[data-action="calib-check"]').addEventListener('click', function () {
    var body = complete();
    if (!body) return;
    send('POST', '/api/cameras/' + encodeURIComponent(camera) + '/calibration/check', { points: body }).then(function (r) {
      if (r.status !== 200) return say(r.data.message || 'check failed', true);
      if (!r.data.ok) {
        grid = [];
        draw();
        return say('Cannot be used: ' + r.data.reason, true);
      }
      grid = r.data.grid;
      draw();
      say(describe(r.data.reprojection), false);
    });
  });
  card.querySelector('[data-action="calib-save"]').addEventListener('click', function () {
    var body = complete();
    if (!body) return;
    send('PUT', '/api/cameras/' + encodeURIComponent(camera) + '/calibration', { points: body }).then(function (r) {
      if (r.status !== 200) return say(r.data.message || 'save failed', true);
      say('Saved ' + r.data.points + ' points. ' + describe(r.data.reprojection) + ' It applies at the next start of the agent.', false);
    });
  });
  render();
})();
