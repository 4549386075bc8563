// intent-checkout through npm, the way a merchant's bundler sees it: the <intent-checkout> element (which
// pulls in createCheckout and the wasm loader). The .wasm is emitted as a separate file and counted apart.
import '../../pkg/element.js';
