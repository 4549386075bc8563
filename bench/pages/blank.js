document.addEventListener('DOMContentLoaded', function () { window.__ready = performance.now(); });
