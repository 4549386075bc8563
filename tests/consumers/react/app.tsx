// The README's React snippet: `import 'intent-checkout/react'` registers <intent-checkout> and declares it
// for JSX; React 19 adds `on<event>` props as listeners. The token goes in through a ref (browser only).
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'intent-checkout/react';

interface Intent {
  paymentIntentId: string;
  clientSessionSecret: string;
}

function Checkout({ intent }: { intent: Intent }) {
  const [events, setEvents] = useState<string[]>([]);
  const log = (line: string) => setEvents((all) => [...all, line]);
  return (
    <>
      <intent-checkout
        payment-intent-id={intent.paymentIntentId}
        ref={(el) => {
          if (el) el.connectToken = intent.clientSessionSecret;
        }}
        locale="en-GB"
        onready={(e) => log(`ready ${e.detail.canonical}`)}
        onsucceeded={(e) => log(`succeeded ${e.detail.intent.totalAmount.value}`)}
      />
      <ol id="events">{events.map((line) => <li key={line}>{line}</li>)}</ol>
    </>
  );
}

// The test writes intent.json next to this page (a token never goes into a URL).
fetch('./intent.json').then((r) => r.json()).then((intent: Intent) => {
  createRoot(document.getElementById('root')!).render(<Checkout intent={intent} />);
});
