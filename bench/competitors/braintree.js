// Braintree: the client and Hosted Fields components.
// Not counted: the hosted-field iframes Braintree serves from its own domain at run time.
import client from 'braintree-web/client';
import hostedFields from 'braintree-web/hosted-fields';

export async function mount(authorization) {
  const c = await client.create({ authorization });
  return hostedFields.create({
    client: c,
    fields: { number: { selector: '#cc' }, cvv: { selector: '#cvv' }, expirationDate: { selector: '#exp' } },
  });
}
