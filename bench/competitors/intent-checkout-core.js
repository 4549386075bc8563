// intent-checkout through npm without the element: the package's main entry only (createCheckout, headless).
export * from '../../pkg/index.js';
