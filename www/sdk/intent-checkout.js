// The script-tag entry: <script src=".../intent-checkout.js" defer></script>.
// A classic script (no bundler, no module tag needed) that loads the ES modules sitting next to it, found
// from its own URL, registers <intent-checkout> and defines window.IntentCheckout.
(function () {
  'use strict';
  var script = document.currentScript;
  var base = new URL('.', (script && script.src) || location.href).href;
  var loading = null;

  // Retries after a failed load instead of caching the failure.
  function load() {
    if (!loading) {
      loading = import(base + 'element.js').catch(function (error) {
        loading = null;
        throw error;
      });
    }
    return loading;
  }

  window.IntentCheckout = {
    /** Resolves to the package's ES module API (the same exports as `import 'intent-checkout/element'`). */
    load: load,
    mount: function (target, options) {
      return load().then(function (api) {
        return api.mount(target, options);
      });
    },
  };
  load().catch(function (error) {
    console.error('intent-checkout: failed to load', error && error.message);
  });
})();
