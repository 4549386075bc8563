// The README's npm snippet for every bundler: the SDK's pure entry, validateCard loaded on demand.
import { validateCard } from 'intent-checkout';

validateCard({ number: '4242 4242 4242 4242', expiryMonth: 12, expiryYear: 2034, cvc: '123', cardholderName: 'Ada' }).then(
  (check) => (document.body.dataset.result = JSON.stringify(check)),
  (error) => (document.body.dataset.error = String(error?.message ?? error)),
);
