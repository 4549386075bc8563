// Configures the element from the fragment and stamps `ready` (ms since navigation start).
(function () {
  // Times the wasm compile + instantiate the glue starts (instantiateStreaming, or instantiate as fallback).
  ['instantiateStreaming', 'instantiate'].forEach(function (name) {
    var orig = WebAssembly[name];
    if (!orig) return;
    WebAssembly[name] = function () {
      if (window.__wasmStart === undefined) window.__wasmStart = performance.now();
      return orig.apply(this, arguments).then(function (r) {
        if (window.__wasmEnd === undefined) window.__wasmEnd = performance.now();
        return r;
      });
    };
  });
  var p = new URLSearchParams(location.hash.slice(1));
  var el = document.querySelector('intent-checkout');
  document.addEventListener('ready', function () { window.__ready = performance.now(); }, { once: true });
  document.addEventListener('error', function (e) { window.__error = String(e.detail && e.detail.error && e.detail.error.code); }, { once: true });
  // The card fields' mode and the API's origin (bench/card-fields.mjs puts the page on another origin).
  if (p.get('api')) el.setAttribute('api-base', p.get('api'));
  if (p.get('fields')) el.setAttribute('fields', p.get('fields'));
  el.setAttribute('payment-intent-id', p.get('pi'));
  el.setAttribute('connect-token', p.get('t'));
})();
