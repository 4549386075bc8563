// Configures the element from the fragment and stamps `ready` (ms since navigation start).
(function () {
  var p = new URLSearchParams(location.hash.slice(1));
  var el = document.querySelector('intent-checkout');
  document.addEventListener('ready', function () { window.__ready = performance.now(); }, { once: true });
  document.addEventListener('error', function (e) { window.__error = String(e.detail && e.detail.error && e.detail.error.code); }, { once: true });
  el.setAttribute('payment-intent-id', p.get('pi'));
  el.setAttribute('connect-token', p.get('t'));
})();
