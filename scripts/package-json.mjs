// pkg/package.json: the published package's manifest, versioned from Cargo.toml. Run directly, prints it.
import { readFileSync } from 'node:fs';

export function packageManifest() {
  const cargo = readFileSync(new URL('../Cargo.toml', import.meta.url), 'utf8');
  const version = /\[package\][^[]*?\nversion = "([^"]+)"/.exec(cargo)?.[1];
  if (!version) throw new Error('no [package] version in Cargo.toml');
  const repository = /\[workspace\.package\][^[]*?\nrepository = "([^"]+)"/.exec(cargo)?.[1];
  if (!repository) throw new Error('no [workspace.package] repository in Cargo.toml');
  const entry = (name) => ({ types: `./${name}.d.ts`, default: `./${name}.js` });
  return {
    name: 'intent-checkout',
    version,
    description: 'Browser checkout SDK: a Rust/WebAssembly mirror of one payment intent, with a <intent-checkout> element',
    keywords: ['checkout', 'payments', 'payment-intents', 'web-component', 'webassembly'],
    license: 'MIT',
    repository: { type: 'git', url: `git+${repository}.git` },
    type: 'module',
    main: './index.js',
    module: './index.js',
    types: './index.d.ts',
    exports: {
      '.': entry('index'),
      './element': entry('element'),
      // `<intent-checkout>` in JSX: registers the element and declares it for React's JSX.
      './react': entry('react'),
      // For esbuild: points the SDK at the .wasm esbuild copies (build with --loader:.wasm=file).
      './esbuild': entry('esbuild'),
      // Playwright helpers for the merchant's own end-to-end tests (Node).
      './testing': entry('testing'),
      // The script-tag bundle; its types declare `window.IntentCheckout`.
      './intent-checkout.js': entry('intent-checkout'),
      './intent_checkout_bg.wasm': './intent_checkout_bg.wasm',
      // Each language's tables (the page's as JSON and as an ES module, the card fields' as JSON).
      './locales/*': './locales/*',
      './integrity.json': './integrity.json',
      './cdn/*': './cdn/*',
      './package.json': './package.json',
    },
    files: ['*.js', '*.d.ts', '*.wasm', 'integrity.json', 'locales/*.js', 'locales/*.json', 'cdn/**/*.js', 'cdn/**/*.wasm', 'cdn/**/*.json', 'cdn/**/*.html', 'README.md', 'LICENSE'],
    // Only these register a custom element or point the SDK somewhere when imported.
    sideEffects: ['./element.js', './react.js', './esbuild.js', './intent-checkout.js'],
    // Browsers run the SDK; Node runs the test kit and server-side imports.
    engines: { node: '>=18' },
    peerDependencies: { 'playwright-core': '>=1.40' },
    // Only `intent-checkout/testing` uses it, for types (any of playwright, @playwright/test brings it).
    peerDependenciesMeta: { 'playwright-core': { optional: true } },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(JSON.stringify(packageManifest(), null, 2) + '\n');
