// `import 'intent-checkout/react'`: registers <intent-checkout> (as `intent-checkout/element` does) and, in
// react.d.ts, declares it for React's JSX. React 19 sets properties (refreshToken) on custom elements and
// takes `on<event>` props as listeners, so no wrapper component is needed; the connect token goes in through
// a ref, so server rendering never writes it into the HTML.
export * from './element.js';
