/**
 * The script of the docs page, inlined into index.html (the page must work from file://, so
 * nothing is fetched). It reads the embedded catalog, shows one section at a time by the URL's
 * hash, highlights a node's upstream and downstream in the lineage graph, and searches models
 * and columns. Plain ES2017 so any current browser runs it as it is.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('lathe-docs-data').textContent);
  document.body.classList.add('js');
  var graph = document.getElementById('graph');
  var nodes = {};
  graph.querySelectorAll('.node').forEach(function (el) { nodes[el.getAttribute('data-id')] = el; });
  var edges = Array.prototype.slice.call(graph.querySelectorAll('.edge'));
  var positions = {};
  data.lineage.nodes.forEach(function (n) { positions[n.id] = n; });

  function highlight(id) {
    var up = {}, down = {};
    (data.lineage.upstream[id] || []).forEach(function (n) { up[n] = true; });
    (data.lineage.downstream[id] || []).forEach(function (n) { down[n] = true; });
    graph.classList.toggle('focused', Boolean(nodes[id]));
    Object.keys(nodes).forEach(function (n) {
      var el = nodes[n];
      el.classList.toggle('selected', n === id);
      el.classList.toggle('upstream', Boolean(up[n]));
      el.classList.toggle('downstream', Boolean(down[n]));
    });
    edges.forEach(function (el) {
      var from = el.getAttribute('data-from'), to = el.getAttribute('data-to');
      var onUp = (up[from] || from === id) && (up[to] || to === id);
      var onDown = (down[from] || from === id) && (down[to] || to === id);
      el.classList.toggle('upstream', Boolean(onUp));
      el.classList.toggle('downstream', Boolean(onDown));
    });
    // Bring the node into the graph's own view, without scrolling the page.
    var node = positions[id];
    if (node) {
      var w = graph.clientWidth, h = graph.clientHeight;
      if (node.x < graph.scrollLeft || node.x + 190 > graph.scrollLeft + w) graph.scrollLeft = Math.max(0, node.x - w / 3);
      if (node.y < graph.scrollTop || node.y + 22 > graph.scrollTop + h) graph.scrollTop = Math.max(0, node.y - h / 2);
    }
  }

  function show() {
    var hash = decodeURIComponent(location.hash.slice(1)) || 'overview';
    var target = document.getElementById(hash);
    var section = target && target.closest ? target.closest('section.doc') : null;
    if (!section) { section = document.getElementById('overview'); target = section; }
    document.querySelectorAll('section.doc.shown').forEach(function (s) { s.classList.remove('shown'); });
    section.classList.add('shown');
    document.querySelectorAll('.row-target').forEach(function (r) { r.classList.remove('row-target'); });
    // A section opens under the graph, which stays in view; a column row is scrolled to.
    if (target !== section) { target.classList.add('row-target'); target.scrollIntoView({ block: 'center' }); }
    else window.scrollTo(0, 0);
    document.querySelectorAll('nav a.current').forEach(function (a) { a.classList.remove('current'); });
    var link = document.querySelector('nav a[href="#' + CSS.escape(section.id) + '"]');
    if (link) link.classList.add('current');
    highlight(section.getAttribute('data-node') || '');
  }

  Object.keys(nodes).forEach(function (id) {
    nodes[id].addEventListener('click', function () { location.hash = '#' + id; });
  });
  window.addEventListener('hashchange', show);
  // The browser jumps to the anchor once the page has loaded: show again, graph in view.
  window.addEventListener('load', function () { setTimeout(show, 0); });

  // Search over models, sources, their columns and descriptions.
  var entries = [];
  data.models.concat(data.sources).forEach(function (item) {
    entries.push({ id: item.id, label: item.name, kind: item.layer || 'source', text: (item.description || '') });
    item.columns.forEach(function (c) {
      entries.push({ id: item.id + '.' + c.name, label: item.name + '.' + c.name, kind: 'column' + (c.pii ? ' · pii' : ''), text: (c.description || '') + ' ' + (c.type || '') });
    });
  });
  var input = document.getElementById('search');
  var results = document.getElementById('results');
  var navList = document.getElementById('nav-list');
  function search() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = '';
    navList.hidden = terms.length > 0;
    if (!terms.length) return;
    var found = entries.filter(function (e) {
      var hay = (e.label + ' ' + e.text).toLowerCase();
      return terms.every(function (t) { return hay.indexOf(t) >= 0; });
    });
    found.sort(function (a, b) {
      var an = a.label.toLowerCase().indexOf(terms[0]) >= 0 ? 0 : 1;
      var bn = b.label.toLowerCase().indexOf(terms[0]) >= 0 ? 0 : 1;
      return an - bn || a.label.length - b.label.length || a.label.localeCompare(b.label);
    });
    var count = document.createElement('p');
    count.className = 'muted';
    count.textContent = found.length + (found.length === 1 ? ' match' : ' matches');
    results.appendChild(count);
    found.slice(0, 80).forEach(function (e) {
      var a = document.createElement('a');
      a.href = '#' + e.id;
      a.className = 'result';
      var name = document.createElement('span');
      name.textContent = e.label;
      var kind = document.createElement('small');
      kind.textContent = ' ' + e.kind;
      a.appendChild(name);
      a.appendChild(kind);
      results.appendChild(a);
    });
  }
  input.addEventListener('input', search);
  input.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter') return;
    var first = results.querySelector('a.result');
    if (first) location.hash = first.getAttribute('href');
  });
  show();
})();
`;
