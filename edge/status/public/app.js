// footfall status page: live overlay (server-sent events) and the line/zone editor.
// Plain browser JavaScript, no build step, no dependencies; pages work without it.
'use strict';
(function () {
  var SVGNS = 'http://www.w3.org/2000/svg';
  var page = document.body.dataset.page;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';

  function svgEl(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  function hue(id) {
    return (id * 137.508) % 360;
  }
  function viewOf(section) {
    return {
      section: section,
      name: section.dataset.camera,
      img: section.querySelector('[data-role="snapshot"]'),
      svg: section.querySelector('[data-role="overlay"]'),
      live: section.querySelector('[data-role="live"]'),
      draft: section.querySelector('[data-role="draft"]'),
      nosnap: section.querySelector('[data-role="nosnap"]'),
      age: section.querySelector('[data-role="age"]'),
      debugMotion: section.querySelector('[data-role="debug-motion"]'),
      last: null,
      seq: 0,
      loading: false,
    };
  }
  /** Swaps the snapshot only once the next one has loaded, so the view never flickers. */
  function showSnapshot(v, seq) {
    if (seq <= v.seq || v.loading) return;
    v.loading = true;
    var next = new Image();
    var url = '/api/cameras/' + encodeURIComponent(v.name) + '/snapshot.jpg?seq=' + seq;
    next.onload = function () {
      v.img.src = url;
      v.seq = seq;
      v.loading = false;
      if (v.nosnap) v.nosnap.hidden = true;
      v.section.dataset.snapshotLoaded = String(seq);
    };
    next.onerror = function () {
      v.loading = false;
    };
    next.src = url;
  }
  function setViewBox(v, w, h) {
    if (!w || !h) return;
    var vb = '0 0 ' + w + ' ' + h;
    if (v.svg.getAttribute('viewBox') !== vb) {
      v.svg.setAttribute('viewBox', vb);
      v.img.setAttribute('width', w);
      v.img.setAttribute('height', h);
    }
  }

  // --- Labels: sized to the screen, kept apart, readable on any background --------------
  // SVG text scales with the image, so every layout sets a label's size to LABEL_PX on the
  // screen, whatever the frame's and the page's size. Labels are placed greedily in order of
  // importance (lines and zones, then the gate's note, then track ids), each at the first
  // candidate spot that stays inside the frame and meets no label placed before it; when all
  // its candidates are taken it stacks above or below the first one. A dark box behind each
  // label keeps it readable on snow, grass or a crowd.
  var LABEL_PX = 13;

  /** Screen pixels per source pixel of an overlay; 0 while it is not laid out. */
  function screenScale(svg) {
    var m = svg.getScreenCTM();
    return m && m.a > 0 ? m.a : 0;
  }
  function labelMetrics(svg) {
    var s = screenScale(svg);
    if (!s) return null;
    var vb = svg.viewBox.baseVal;
    var fs = LABEL_PX / s;
    return { scale: s, fs: fs, pad: fs * 0.35, h: fs * 1.45, baseline: fs * 1.08, gap: fs * 0.3, frame: { w: vb.width, h: vb.height } };
  }
  function boxesMeet(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }
  function inFrame(x, y, w, h, frame) {
    return { x: Math.max(0, Math.min(frame.w - w, x)), y: Math.max(0, Math.min(frame.h - h, y)), w: w, h: h };
  }
  /**
   * Sizes `text`, puts it at the first of `spots(w, h)` (top-left corners) that meets none of
   * `placed`, draws its backing box, and adds its box (with a gap around) to `placed`. An
   * `optional` label with no free spot is hidden rather than drawn over another.
   */
  function placeLabel(text, spots, placed, m, optional) {
    text.setAttribute('font-size', m.fs.toFixed(2));
    text.removeAttribute('text-anchor');
    var w = text.getComputedTextLength() + 2 * m.pad;
    var h = m.h;
    var tries = spots(w, h);
    var first = tries[0];
    for (var k = 1; k <= 16; k++) {
      tries.push([first[0], first[1] + k * (h + m.gap)]);
      tries.push([first[0], first[1] - k * (h + m.gap)]);
    }
    var box = null;
    for (var i = 0; i < tries.length && !box; i++) {
      var b = inFrame(tries[i][0], tries[i][1], w, h, m.frame);
      if (!placed.some(function (p) { return boxesMeet(b, p); })) box = b;
    }
    if (!box && optional) {
      // A track id with no free spot left (a dense crowd): its box and trail still show.
      text.setAttribute('display', 'none');
      return;
    }
    if (!box) box = inFrame(first[0], first[1], w, h, m.frame);
    text.setAttribute('x', (box.x + m.pad).toFixed(1));
    text.setAttribute('y', (box.y + m.baseline).toFixed(1));
    var bg = text.previousElementSibling;
    if (!bg || bg.getAttribute('class') !== 'label-bg') {
      bg = document.createElementNS(SVGNS, 'rect');
      bg.setAttribute('class', 'label-bg');
      text.parentNode.insertBefore(bg, text);
    }
    bg.setAttribute('x', box.x.toFixed(1));
    bg.setAttribute('y', box.y.toFixed(1));
    bg.setAttribute('width', w.toFixed(1));
    bg.setAttribute('height', h.toFixed(1));
    bg.setAttribute('rx', (m.fs * 0.25).toFixed(1));
    placed.push({ x: box.x - m.gap / 2, y: box.y - m.gap / 2, w: w + m.gap, h: h + m.gap });
  }
  function numberAttr(el, name) {
    return Number(el.getAttribute(name));
  }
  /** Spots for a line's label: beside its middle first, then beside either end. */
  function lineSpots(line, m) {
    var ax = numberAttr(line, 'x1'), ay = numberAttr(line, 'y1'), bx = numberAttr(line, 'x2'), by = numberAttr(line, 'y2');
    return function (w, h) {
      var g = m.gap * 2;
      var mx = (ax + bx) / 2, my = (ay + by) / 2;
      var beside = Math.abs(by - ay) > Math.abs(bx - ax)
        ? [[mx + g, my - h / 2], [mx - w - g, my - h / 2]] // a steep line: left and right of it
        : [[mx - w / 2, my - h - g], [mx - w / 2, my + g]]; // a flat one: above and below
      return beside.concat([
        [ax, ay - h - g], [bx - w, by - h - g], [ax, ay + g], [bx - w, by + g],
        [(3 * ax + bx) / 4 - w / 2, (3 * ay + by) / 4 - h - g], [(ax + 3 * bx) / 4 - w / 2, (ay + 3 * by) / 4 - h - g],
        [(3 * ax + bx) / 4 - w / 2, (3 * ay + by) / 4 + g], [(ax + 3 * bx) / 4 - w / 2, (ay + 3 * by) / 4 + g],
      ]);
    };
  }
  /** Spots for a zone's label: inside its top-left corner, above it, inside its other corners. */
  function zoneSpots(polygon, m) {
    var pts = (polygon.getAttribute('points') || '').trim().split(/\s+/).map(function (p) { return p.split(',').map(Number); });
    var xs = pts.map(function (p) { return p[0]; }), ys = pts.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    return function (w, h) {
      var g = m.gap;
      return [[x0 + g, y0 + g], [x0, y0 - h - g], [x1 - w - g, y0 + g], [x0 + g, y1 - h - g], [x1 - w - g, y1 - h - g], [x0, y1 + g]];
    };
  }
  /** Lays out the labels of the lines and zones drawn in `root`; returns their boxes. */
  function layoutGeometry(v, root) {
    var m = labelMetrics(v.svg);
    var placed = [];
    if (!m) return placed;
    root.querySelectorAll('g.cline').forEach(function (g) {
      var text = g.querySelector('text.label');
      var line = g.querySelector('line:not(.arrow)');
      if (text && line) placeLabel(text, lineSpots(line, m), placed, m);
    });
    root.querySelectorAll('g.zone').forEach(function (g) {
      var text = g.querySelector('text.label');
      var polygon = g.querySelector('polygon');
      if (text && polygon) placeLabel(text, zoneSpots(polygon, m), placed, m);
    });
    // The editor's "in" beside each direction arrow's head.
    root.querySelectorAll('g.cline').forEach(function (g) {
      var tip = g.querySelector('text.tip');
      var arrow = g.querySelector('line.arrow');
      if (!tip || !arrow) return;
      var x = numberAttr(arrow, 'x2'), y = numberAttr(arrow, 'y2');
      placeLabel(tip, function (w, h) {
        var d = m.gap * 2;
        return [[x - w / 2, y + d], [x + d, y - h / 2], [x - w - d, y - h / 2], [x - w / 2, y - h - d]];
      }, placed, m);
    });
    v.geometryBoxes = placed;
    v.labelScale = m.scale;
    v.svg.classList.add('labelled');
    return placed;
  }
  /** The live labels (gate note, track ids), around the geometry's. */
  function layoutLive(v) {
    var m = labelMetrics(v.svg);
    if (!m) return;
    if (!v.geometryBoxes || Math.abs(m.scale - v.labelScale) > v.labelScale * 0.01) layoutGeometry(v, v.svg);
    var placed = v.geometryBoxes.slice();
    var gate = v.live.querySelector('text.gate');
    if (gate) placeLabel(gate, function () { return [[m.gap, m.gap]]; }, placed, m);
    v.live.querySelectorAll('text.tid').forEach(function (t) {
      var x = numberAttr(t, 'data-x'), y = numberAttr(t, 'data-y'), bw = numberAttr(t, 'data-w'), bh = numberAttr(t, 'data-h');
      placeLabel(t, function (w, h) {
        return [[x, y - h - m.gap], [x + bw - w, y - h - m.gap], [x, y + bh + m.gap], [x, y + m.gap]];
      }, placed, m, true);
    });
  }

  // --- Overview: live boxes, track ids, trails, counts ---------------------------------
  function overview() {
    var views = {};
    document.querySelectorAll('section.cam[data-camera]').forEach(function (s) {
      var v = viewOf(s);
      views[v.name] = v;
      layoutGeometry(v, v.svg);
      if (v.debugMotion) {
        v.debugMotion.addEventListener('change', function () {
          if (v.last) drawLive(v, v.last);
        });
      }
    });
    var resizing = false;
    window.addEventListener('resize', function () {
      if (resizing) return;
      resizing = true;
      requestAnimationFrame(function () {
        resizing = false;
        for (var name in views) {
          layoutGeometry(views[name], views[name].svg);
          if (views[name].last) layoutLive(views[name]);
        }
      });
    });
    if (!window.EventSource) return;
    var first = false;
    var es = new EventSource('/api/live');
    es.addEventListener('camera', function (ev) {
      var d = JSON.parse(ev.data);
      var v = views[d.camera];
      if (!v) return;
      setViewBox(v, d.sourceWidth, d.sourceHeight);
      if (d.snapshotSeq > 0) showSnapshot(v, d.snapshotSeq);
      drawLive(v, d);
      if (v.age) v.age.textContent = 'live';
      if (!first) {
        first = true;
        document.body.dataset.firstLiveMs = String(Math.round(performance.now()));
      }
    });
    es.addEventListener('counts', function (ev) {
      var d = JSON.parse(ev.data);
      for (var cam in d.lines) {
        var v = views[cam];
        if (!v) continue;
        for (var line in d.lines[cam]) {
          var g = v.svg.querySelector('g.cline[data-line="' + CSS.escape(line) + '"]');
          if (!g) continue;
          g.querySelector('[data-role="in"]').textContent = d.lines[cam][line].in;
          g.querySelector('[data-role="out"]').textContent = d.lines[cam][line].out;
        }
        // Longer numbers, longer labels: lay them out again.
        layoutGeometry(v, v.svg);
        if (v.last) layoutLive(v);
      }
    });
  }
  function drawLive(v, d) {
    var g = v.live;
    clear(g);
    v.last = d;
    var unit = Math.max(d.sourceWidth || 1280, d.sourceHeight || 720) / 100;
    if (v.debugMotion && v.debugMotion.checked) drawGate(g, d, unit);
    for (var i = 0; i < d.detections.length; i++) {
      var b = d.detections[i];
      svgEl('rect', { class: 'det', x: b[0], y: b[1], width: b[2], height: b[3], 'stroke-width': unit * 0.25 }, g);
    }
    for (var j = 0; j < d.tracks.length; j++) {
      var t = d.tracks[j];
      var color = 'hsl(' + hue(t.id) + ',90%,55%)';
      svgEl('rect', { class: 'trk', x: t.box[0], y: t.box[1], width: t.box[2], height: t.box[3], stroke: color, 'stroke-width': unit * 0.4 }, g);
      if (t.trail.length >= 4) {
        var pts = [];
        for (var k = 0; k < t.trail.length; k += 2) pts.push(t.trail[k] + ',' + t.trail[k + 1]);
        svgEl('polyline', { class: 'trail', points: pts.join(' '), stroke: color, 'stroke-width': unit * 0.35 }, g);
      }
      var label = svgEl('text', { class: 'tid', x: t.box[0], y: t.box[1] - unit * 0.5, 'font-size': unit * 2.2, fill: color, 'data-x': t.box[0], 'data-y': t.box[1], 'data-w': t.box[2], 'data-h': t.box[3] }, g);
      label.textContent = '#' + t.id;
    }
    v.section.dataset.tracks = String(d.tracks.length);
    v.section.dataset.detections = String(d.detections.length);
    var occupancyChanged = false;
    for (var zone in d.zones) {
      var zg = v.svg.querySelector('g.zone[data-zone="' + CSS.escape(zone) + '"] [data-role="occupancy"]');
      if (zg && zg.textContent !== String(d.zones[zone])) {
        zg.textContent = d.zones[zone];
        occupancyChanged = true;
      }
    }
    if (occupancyChanged) v.geometryBoxes = null;
    layoutLive(v);
  }

  /** The motion gate's debug layer: motion boxes and what the gate did with the frame. */
  function drawGate(g, d, unit) {
    var motion = d.motion || [];
    for (var i = 0; i < motion.length; i++) {
      var b = motion[i];
      svgEl('rect', { class: 'motion', x: b[0], y: b[1], width: b[2], height: b[3], 'stroke-width': unit * 0.3 }, g);
    }
    var text = d.gate === 'skipped' ? 'detector skipped: no motion, no one tracked' : d.gate === 'full' ? 'detector ran on the whole frame' : d.gate === 'regions' ? 'detector ran on regions' : d.gate === 'predicted' ? 'detector skipped: tracks predicted (sparse detection)' : 'motion gate off';
    var label = svgEl('text', { class: 'gate gate-' + (d.gate || 'off'), x: unit, y: unit * 3, 'font-size': unit * 2 }, g);
    label.textContent = text + ' · ' + motion.length + ' motion box' + (motion.length === 1 ? '' : 'es');
    var section = g.closest('section');
    if (section) {
      section.dataset.gate = d.gate || 'off';
      section.dataset.motionBoxes = String(motion.length);
    }
  }

  // --- Editor: draw or move lines and zones, name them, save ---------------------------
  function editor() {
    var section = document.querySelector('section.cam[data-geometry]');
    if (!section) return;
    var v = viewOf(section);
    var geo = JSON.parse(section.dataset.geometry);
    var tool = 'move';
    var selected = null; // {kind: 'line'|'zone', index}
    var drag = null;
    var zoneDraft = null;
    var statusEl = section.querySelector('[data-role="status"]');
    var list = section.querySelector('[data-role="shapes"]');
    // The server drew the saved geometry; the editor redraws it as editable shapes.
    var fixed = v.svg.querySelectorAll('g.zones, g.lines');
    for (var f = 0; f < fixed.length; f++) fixed[f].remove();

    function box() {
      var vb = v.svg.viewBox.baseVal;
      return { w: vb.width, h: vb.height, unit: Math.max(vb.width, vb.height) / 100 };
    }
    function toImage(ev) {
      var m = v.svg.getScreenCTM();
      var p = v.svg.createSVGPoint();
      p.x = ev.clientX;
      p.y = ev.clientY;
      var q = p.matrixTransform(m.inverse());
      var b = box();
      return [Math.round(Math.min(b.w, Math.max(0, q.x))), Math.round(Math.min(b.h, Math.max(0, q.y)))];
    }
    function uniqueName(prefix, items) {
      for (var n = 1; ; n++) {
        var name = prefix + '-' + n;
        if (!items.some(function (i) { return i.name === name; })) return name;
      }
    }
    function setStatus(text, isError) {
      statusEl.textContent = text;
      statusEl.className = isError ? 'error' : 'ok';
    }

    function render() {
      renderSvg();
      renderList();
    }
    /** Only the drawing: the name inputs stay as they are (and keep focus while typing). */
    function renderSvg() {
      var g = v.draft;
      clear(g);
      var b = box();
      geo.zones.forEach(function (z, i) {
        var sel = selected && selected.kind === 'zone' && selected.index === i;
        var zg = svgEl('g', { class: 'zone' + (sel ? ' selected' : ''), 'data-zone': z.name }, g);
        var poly = svgEl('polygon', { points: z.polygon.map(function (p) { return p.join(','); }).join(' ') }, zg);
        poly.dataset.kind = 'zone';
        poly.dataset.index = i;
        var t = svgEl('text', { class: 'label', x: z.polygon[0][0], y: z.polygon[0][1], 'font-size': b.unit * 2.2 }, zg);
        t.textContent = z.name;
        if (sel || tool === 'move') z.polygon.forEach(function (p, k) { handle(zg, 'zone', i, k, p, b); });
      });
      geo.lines.forEach(function (l, i) {
        var sel = selected && selected.kind === 'line' && selected.index === i;
        var lg = svgEl('g', { class: 'cline' + (sel ? ' selected' : ''), 'data-line': l.name }, g);
        var a = l.points[0];
        var c = l.points[1];
        var ln = svgEl('line', { x1: a[0], y1: a[1], x2: c[0], y2: c[1], 'stroke-width': b.unit * 0.8 }, lg);
        ln.dataset.kind = 'line';
        ln.dataset.index = i;
        var mx = (a[0] + c[0]) / 2;
        var my = (a[1] + c[1]) / 2;
        var len = Math.hypot(c[0] - a[0], c[1] - a[1]) || 1;
        // Arrow towards the positive side of A->B: the "in" direction.
        var nx = -(c[1] - a[1]) / len;
        var ny = (c[0] - a[0]) / len;
        svgEl('line', { class: 'arrow', x1: mx, y1: my, x2: mx + nx * b.unit * 6, y2: my + ny * b.unit * 6, 'stroke-width': b.unit * 0.5, 'marker-end': 'url(#arrowhead)' }, lg);
        var tip = svgEl('text', { class: 'tip', x: mx + nx * b.unit * 9, y: my + ny * b.unit * 9 + b.unit, 'font-size': b.unit * 2.4, 'text-anchor': 'middle' }, lg);
        tip.textContent = 'in';
        var t = svgEl('text', { class: 'label', x: a[0], y: a[1] - b.unit, 'font-size': b.unit * 2.2 }, lg);
        t.textContent = l.name;
        if (sel || tool === 'move') l.points.forEach(function (p, k) { handle(lg, 'line', i, k, p, b); });
      });
      if (zoneDraft) {
        svgEl('polyline', { class: 'zdraft', points: zoneDraft.map(function (p) { return p.join(','); }).join(' '), 'stroke-width': b.unit * 0.4 }, g);
        zoneDraft.forEach(function (p) { svgEl('circle', { class: 'handle', cx: p[0], cy: p[1], r: b.unit }, g); });
      }
      layoutGeometry(v, g);
    }
    function handle(parent, kind, index, k, p, b) {
      var h = svgEl('circle', { class: 'handle', cx: p[0], cy: p[1], r: b.unit * 1.4 }, parent);
      h.dataset.kind = kind;
      h.dataset.index = index;
      h.dataset.point = k;
    }
    function renderList() {
      clear(list);
      function row(kind, item, i) {
        var li = document.createElement('li');
        if (selected && selected.kind === kind && selected.index === i) li.className = 'selected';
        var label = document.createElement('label');
        label.textContent = kind === 'line' ? 'Line ' : 'Zone ';
        var input = document.createElement('input');
        input.value = item.name;
        input.maxLength = 64;
        input.pattern = '[A-Za-z0-9][A-Za-z0-9_.\\-]*';
        input.dataset.kind = kind;
        input.dataset.index = i;
        input.setAttribute('aria-label', kind + ' name');
        input.addEventListener('input', function () {
          item.name = input.value.trim();
          setStatus('Unsaved changes', false);
          renderSvg();
        });
        input.addEventListener('focus', function () {
          selected = { kind: kind, index: i };
          list.querySelectorAll('li').forEach(function (o) { o.className = o === li ? 'selected' : ''; });
          renderSvg();
        });
        label.appendChild(input);
        li.appendChild(label);
        list.appendChild(li);
      }
      geo.lines.forEach(function (l, i) { row('line', l, i); });
      geo.zones.forEach(function (z, i) { row('zone', z, i); });
    }

    section.querySelectorAll('[data-tool]').forEach(function (btn) {
      btn.addEventListener('click', function () {
        tool = btn.dataset.tool;
        zoneDraft = null;
        section.querySelectorAll('[data-tool]').forEach(function (o) { o.setAttribute('aria-pressed', String(o === btn)); });
        v.svg.dataset.tool = tool;
        render();
      });
    });
    section.querySelector('[data-action="flip"]').addEventListener('click', function () {
      if (!selected || selected.kind !== 'line') return setStatus('Select a line first', true);
      geo.lines[selected.index].points.reverse();
      setStatus('Unsaved changes', false);
      render();
    });
    section.querySelector('[data-action="delete"]').addEventListener('click', function () {
      if (!selected) return setStatus('Select a line or zone first', true);
      (selected.kind === 'line' ? geo.lines : geo.zones).splice(selected.index, 1);
      selected = null;
      setStatus('Unsaved changes', false);
      render();
    });
    section.querySelector('[data-action="save"]').addEventListener('click', function () {
      setStatus('Saving…', false);
      fetch('/api/cameras/' + encodeURIComponent(v.name) + '/geometry', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ lines: geo.lines, zones: geo.zones }),
        credentials: 'same-origin',
      })
        .then(function (res) {
          return res.json().then(function (body) { return { ok: res.ok, body: body }; });
        })
        .then(function (r) {
          if (!r.ok) return setStatus('Not saved: ' + (r.body.message || 'error'), true);
          geo = { lines: r.body.lines, zones: r.body.zones };
          render();
          setStatus('Saved and applied', false);
        })
        .catch(function (err) { setStatus('Not saved: ' + err.message, true); });
    });

    v.svg.addEventListener('pointerdown', function (ev) {
      var p = toImage(ev);
      var target = ev.target;
      if (tool === 'line') {
        geo.lines.push({ name: uniqueName('line', geo.lines), points: [p, p.slice()] });
        selected = { kind: 'line', index: geo.lines.length - 1 };
        drag = { kind: 'line', index: selected.index, point: 1, fresh: true };
      } else if (tool === 'zone') {
        var b = box();
        if (zoneDraft && zoneDraft.length >= 3 && Math.hypot(p[0] - zoneDraft[0][0], p[1] - zoneDraft[0][1]) < b.unit * 2.5) {
          closeZone();
          return;
        }
        zoneDraft = (zoneDraft || []).concat([p]);
      } else if (target.dataset && target.dataset.kind) {
        selected = { kind: target.dataset.kind, index: Number(target.dataset.index) };
        if (target.dataset.point !== undefined) drag = { kind: target.dataset.kind, index: selected.index, point: Number(target.dataset.point) };
      } else {
        selected = null;
      }
      if (drag) v.svg.setPointerCapture(ev.pointerId);
      ev.preventDefault();
      render();
    });
    v.svg.addEventListener('pointermove', function (ev) {
      if (!drag) return;
      var p = toImage(ev);
      var shape = drag.kind === 'line' ? geo.lines[drag.index].points : geo.zones[drag.index].polygon;
      shape[drag.point] = p;
      renderSvg();
    });
    function endDrag() {
      if (!drag) return;
      if (drag.fresh) {
        var pts = geo.lines[drag.index].points;
        // A click without a drag is not a line.
        if (Math.hypot(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]) < 4) {
          geo.lines.splice(drag.index, 1);
          selected = null;
        }
      }
      drag = null;
      setStatus('Unsaved changes', false);
      render();
    }
    v.svg.addEventListener('pointerup', endDrag);
    v.svg.addEventListener('pointercancel', endDrag);
    v.svg.addEventListener('dblclick', function () {
      if (tool === 'zone' && zoneDraft && zoneDraft.length >= 3) closeZone();
    });
    function closeZone() {
      geo.zones.push({ name: uniqueName('zone', geo.zones), polygon: zoneDraft });
      selected = { kind: 'zone', index: geo.zones.length - 1 };
      zoneDraft = null;
      setStatus('Unsaved changes', false);
      render();
    }

    // Keep the snapshot fresh while editing.
    function refresh() {
      fetch('/api/cameras', { credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          var c = d.cameras.filter(function (k) { return k.name === v.name; })[0];
          if (!c) return;
          setViewBox(v, c.sourceWidth, c.sourceHeight);
          if (c.snapshotSeq > 0) showSnapshot(v, c.snapshotSeq);
          renderSvg();
        })
        .catch(function () {});
    }
    v.svg.dataset.tool = tool;
    render();
    refresh();
    setInterval(refresh, 2000);
  }

  if (page === 'overview') overview();
  else if (page === 'editor') editor();
  else if (page === 'health') setTimeout(function () { location.reload(); }, 10000);
})();
