// Square: the npm package is a loader only; `payments()` injects https://web.squarecdn.com/v1/square.js,
// which (with the card iframe) is what actually runs and is NOT counted here.
import { payments } from '@square/web-sdk';

export async function mount(appId, locationId) {
  const p = await payments(appId, locationId);
  const card = await p.card();
  await card.attach('#card');
  return card;
}
