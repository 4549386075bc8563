// Hand-kept types for the npm entry (index.js). Keep in step with src/shell/api.rs and src/core/flow.

/** Loads and instantiates the wasm module once; later calls share the same promise (retried after a failure). */
export function load(moduleOrPath?: string | URL | Response | BufferSource | WebAssembly.Module): Promise<unknown>;

export type ErrorCode =
  | 'network_error'
  | 'api_error'
  | 'card_declined'
  | 'validation_error'
  | 'token_expired'
  | 'unexpected_transition'
  | 'sdk_error'
  | 'customer_secret_invalid';

export const ERROR_CODES: readonly ErrorCode[];

/** The one error class. `message` never contains the connect token. */
export class CheckoutError extends Error {
  readonly name: 'CheckoutError';
  readonly code: ErrorCode;
  /** The API's own code, e.g. `processing_error`, `idempotency_key_mismatch`, `illegal_transition`. */
  readonly apiCode?: string;
  /** For `card_declined`: `generic_decline`, `insufficient_funds`, `authentication_failed`, ... */
  readonly declineCode?: string;
  /** For `validation_error`: the field, e.g. `number`, `cvc`, `paymentMethod.card.expiryYear`. */
  readonly param?: string;
  readonly httpStatus?: number;
  constructor(code: ErrorCode, message: string, extra?: Partial<Pick<CheckoutError, 'apiCode' | 'declineCode' | 'param' | 'httpStatus'>>);
}

/** Integer minor units and an ISO 4217 code. */
export interface Money {
  value: number;
  currencyCode: string;
}

/** The dialect-free status next to the wire one. */
export type CanonicalStatus =
  | 'requires_payment_method'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'failed'
  | 'canceled'
  | 'expired'
  | 'closed'
  /** A setup intent: its card is saved for the merchant's later charge. */
  | 'saved'
  /** A setup intent: the merchant charged its saved card. */
  | 'charged'
  /** A setup intent: its saved card passed its expiry date. */
  | 'card_expired';

/** Dojo's `config` of a payment intent. */
export interface IntentConfig {
  title?: string | null;
  redirectUrl?: string | null;
  cancelUrl?: string | null;
  customerEmail?: { collectionRequired?: boolean } | null;
  billingAddress?: { collectionRequired?: boolean } | null;
  shippingDetails?: { collectionRequired?: boolean } | null;
  details?: { showTotal?: boolean; showReference?: boolean } | null;
  payment?: { customAmountAllowed?: boolean; tipsAllowed?: boolean } | null;
}

/** Dojo's `Address`. */
export interface Address {
  address1?: string;
  address2?: string;
  address3?: string;
  address4?: string;
  city?: string;
  state?: string;
  postcode?: string;
  /** ISO 3166-1 alpha-2. */
  countryCode: string;
  locality?: string;
  county?: string;
}

export interface ShippingDetails {
  name?: string;
  deliveryNotes?: string;
  address?: Address;
}

export interface ItemLine {
  id?: string;
  quantity?: number;
  name?: string;
  category?: string;
  /** Per unit; not included in `amountTotal`. */
  modifiers?: Array<{ id: string; name: string; amountPerModifier: Money; quantity: number }>;
  amountTotal?: Money | null;
  plu?: string;
}

export interface TaxLine {
  id?: string;
  caption?: string;
  subCaption?: string;
  amountTotal: Money;
  affectedPlu?: string;
}

/** What the customer tells the merchant with a payment, in the names Dojo's client API pays with. */
export interface CustomerDetails {
  userEmailAddress?: string;
  billingAddress?: Address;
  shippingDetails?: ShippingDetails;
}

/** `checkDetails`: every field's problem by its dotted path, and the details normalised for `pay`. */
export interface DetailsCheck {
  valid: boolean;
  /** `required`, `invalid_email`, `too_long`, `wrong_type`, `invalid_country`, `invalid_postcode`, `invalid_state`. */
  errors: Record<string, string>;
  details: CustomerDetails;
}

/** How a country writes addresses (`addressFormat`). */
export interface AddressFormat {
  postcode: 'required' | 'optional';
  postcodeName: 'postcode' | 'zip' | 'eircode' | 'postal';
  state: 'required' | 'optional';
  stateName: 'state' | 'county' | 'province' | 'prefecture' | 'region';
  states?: string[];
  city: 'required' | 'optional';
  bigFirst: boolean;
}

/** The browser view of a payment intent (Dojo field names). It never carries the connect token. */
export interface PaymentIntentView {
  id: string;
  /** The wire status, in the intent's dialect (`Created`, `requires_payment_method`, `authorised`, ...). */
  status: string;
  dialect?: 'dojo' | 'stripe' | 'setel';
  captureMode: 'Auto' | 'Manual';
  amount: Money;
  tipsAmount?: Money;
  totalAmount: Money;
  refundedAmount?: number;
  /** Dojo's checkout settings: the element shows `title`, the reference and total per `details`, collects what `*.collectionRequired` asks, and follows `redirectUrl` / `cancelUrl`. */
  config?: IntentConfig;
  customer?: { emailAddress?: string } | null;
  billingAddress?: Address | null;
  shippingDetails?: ShippingDetails | null;
  itemLines?: ItemLine[];
  taxLines?: TaxLine[];
  /** `Card`, `Wallet`, `SavedCard`. */
  paymentMethods?: string[];
  merchantConfig?: { supportedPaymentMethods?: { cardSchemes?: string[] | null; wallets?: string[] | null } | null };
  cashbackAmount?: Money;
  serviceChargeAmount?: Money;
  createdAt?: string;
  updatedAt?: string;
  expireAt?: string;
  reference?: string;
  description?: string | null;
  clientSessionSecretExpirationDate?: string;
  /** +1 per change; older or equal versions are dropped by the SDK. */
  version: number;
  nextAction?: { type: 'three_d_secure'; url: string } | null;
  lastPaymentError?: { code: string; declineCode?: string; message?: string } | null;
  paymentEvents?: Array<{ eventType: string; createdAt: string; transactionId?: string; amount?: Money }>;
}

/** The browser view of a setup intent (Dojo's `SetupIntentPublicResponse` names). Never the connect token. */
export interface SetupIntentView {
  id: string;
  /** `Created`, `Authorized` (the card is saved), `Completed` (charged), `Canceled`, `Expired`, `CardExpired`, `Closed`. */
  status: string;
  dialect?: 'dojo' | 'stripe';
  /** What the merchant means to charge later. */
  intendedAmount?: Money;
  /** The merchant's terms the customer agrees to by saving the card (text). */
  terms?: string;
  /** `NoShow`, `Unscheduled`. */
  merchantInitiatedTransactionType?: string;
  reference?: string;
  /** What the merchant charged, once it has. */
  chargedAmount?: Money | null;
  paymentDetails?: { paymentMethodId?: string | null; card?: { cardNumber?: string; expiryDate?: string; cardType?: string } } | null;
  version: number;
  nextAction?: { type: 'three_d_secure'; url: string } | null;
  lastPaymentError?: { code: string; declineCode?: string; message?: string } | null;
}

/** One of the customer's saved cards: never the number, only its last four digits. */
export interface SavedCard {
  /** The saved payment method (`pm_…`) for `paySaved` and `removeSaved`. */
  id: string;
  brand: CardBrand;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
  /** Past its expiry month (by the later of the page's and the API's clock): `paySaved` refuses it. */
  expired: boolean;
  /**
   * The API wants the card's security code typed again: mount its field (`mountCvcField`) before
   * `paySaved`; without it `paySaved` is refused (`validation_error`, `apiCode` `cvc_required`).
   */
  cvcRequired: boolean;
}

export type SavedCardsResult = { cards: SavedCard[]; error?: undefined } | { error: CheckoutError; cards?: undefined };

/** The customer whose saved cards a checkout lists, removes and pays with. */
export interface CustomerOptions {
  /** The customer's id (`cust_…`). */
  customerId: string;
  /** From the merchant's server (`POST /customers/{id}/create-secret`): memory only, sent only in `Authorization`. */
  customerSecret: string;
  /** When the secret expires (ISO or unix ms). */
  customerSecretExpiresAt?: string | number;
}

/** What changed with a snapshot. */
export interface IntentChange {
  version: number;
  previousVersion?: number;
  initial?: true;
  status?: { from: string; to: string };
  /** Top-level fields of the view that changed. */
  fields?: string[];
}

export interface CheckoutEventDetail {
  /** A setup checkout's detail holds a `SetupIntentView`. */
  intent: PaymentIntentView;
  status: string;
  canonical: CanonicalStatus;
  change?: IntentChange;
  error?: CheckoutError;
}
export interface RequiresActionDetail extends CheckoutEventDetail {
  /** The 3-D Secure challenge page: show it in a frame; the SDK follows the intent until it moves on. */
  url: string;
}
export interface ErrorDetail extends Partial<CheckoutEventDetail> {
  error: CheckoutError;
}

export interface CheckoutEventMap {
  ready: CustomEvent<CheckoutEventDetail>;
  status: CustomEvent<CheckoutEventDetail>;
  requires_action: CustomEvent<RequiresActionDetail>;
  succeeded: CustomEvent<CheckoutEventDetail>;
  /** A payment attempt failed (declined, 3-D Secure failed) or the intent moved to a failed status. */
  failed: CustomEvent<CheckoutEventDetail>;
  canceled: CustomEvent<CheckoutEventDetail>;
  expired: CustomEvent<CheckoutEventDetail>;
  /** The page's `refreshToken` supplied a new token (the detail does not contain it). */
  token_refreshed: CustomEvent<Partial<CheckoutEventDetail>>;
  error: CustomEvent<ErrorDetail>;
  /** A setup intent's card is saved for the merchant's later charges (once; a later charge is a `status`). */
  saved: CustomEvent<CheckoutEventDetail>;
}

export interface CardInput {
  number: string;
  expiryMonth: number | string;
  /** Four digits, or two (20xx). */
  expiryYear: number | string;
  cvc: string;
  cardholderName: string;
}

export type TokenRefresh =
  | string
  | { clientSessionSecret: string; clientSessionSecretExpirationDate?: string }
  | { connectToken: string; expiresAt?: string | number };

export interface CheckoutOptions extends Partial<CustomerOptions> {
  /** The payment-intents API, e.g. `https://pay.example.com` (the sandbox in development). */
  apiBase: string;
  /** The payment intent to pay; or, instead, */
  paymentIntentId?: string;
  /** the setup intent whose card to save (`pay({saveCard: true})` confirms it with the customer's consent). */
  setupIntentId?: string;
  /** Dojo's `clientSessionSecret`: held in memory only, sent only in the `Authorization` header. */
  connectToken: string;
  /** `clientSessionSecretExpirationDate` (ISO) or unix ms: lets the SDK refresh before the server refuses. */
  connectTokenExpiresAt?: string | number;
  /**
   * Asks the merchant's server for a new token (it calls `refresh-client-session-secret`). Called at most
   * once per expiry, and before a new attempt after a failed one. Without it, expiry ends in `token_expired`.
   */
  refreshToken?: () => Promise<TokenRefresh> | TokenRefresh;
  /**
   * The intent's API dialect (default `dojo`): wire statuses are read in it, and a snapshot with a status
   * the dialect does not have is dropped with an `error` event. `canonical` in every detail is dialect-free.
   */
  dialect?: 'dojo' | 'stripe' | 'setel';
  /** Where to load the `.wasm` from (default: next to this module). */
  wasmUrl?: string | URL;
  /**
   * `isolated` (default): cards come only from `mountCardFields` (a frame served by `apiBase`), and `pay()`
   * takes no card. `inline`: `pay(card)` with details typed into your page (PCI DSS SAQ A-EP).
   */
  fields?: 'isolated' | 'inline';
}

export interface PayOptions {
  details?: CustomerDetails;
  /**
   * The customer's consent to keep the card: on a payment, "save this card" for the intent's customer; on a
   * setup intent, required (the customer agreed to the merchant's terms), else `validation_error` with
   * `param: 'mitConsentGiven'`.
   */
  saveCard?: boolean;
}

export type PayResult = { intent: PaymentIntentView; status: string; canonical: CanonicalStatus; error?: undefined } | { error: CheckoutError; intent?: PaymentIntentView };

export class Checkout extends EventTarget {
  private constructor();
  /**
   * One attempt at a time: a second call while one runs resolves at once with `unexpected_transition`.
   * Isolated fields (the default): no argument; the mounted fields are checked (`validation_error` with
   * `param` when they show errors) and their card goes from the frame to the API, which returns the single-use
   * reference that pays. A card passed here is refused with `sdk_error`. With `fields: 'inline'`: the card.
   */
  pay(card?: CardInput | null, options?: PayOptions): Promise<PayResult>;
  /** The customer's saved cards (needs `customerId` and `customerSecret`). */
  listSaved(): Promise<SavedCardsResult>;
  /** Removes a saved card; resolves to the cards left. */
  removeSaved(id: string): Promise<SavedCardsResult>;
  /**
   * Pays with a saved card; an expired one is refused without a request. One with `cvcRequired` pays with
   * the code typed into its `mountCvcField` (sent from the frame to the API; the page gets a reference),
   * and is refused without a request (`apiCode` `cvc_required`) when that field is not mounted.
   */
  paySaved(id: string, options?: { details?: CustomerDetails }): Promise<PayResult>;
  /**
   * Mounts the security code field alone for a saved card from `listSaved()` (an iframe served by
   * `apiBase`, like `mountCardFields`; 4 digits for Amex). One at a time; isolated fields only.
   */
  mountCvcField(target: Element | string, savedCardId: string, options?: CardFieldsOptions): CardFields;
  /** Sets (or replaces) the customer for the saved cards. */
  setCustomer(customer: CustomerOptions): { error?: CheckoutError };
  /** Checks the customer's details against the intent's `config` and each country's address rules, without a request. */
  checkDetails(details: CustomerDetails): DetailsCheck;
  /** The card brands the intent takes (its `paymentMethods` and the merchant's card schemes). */
  acceptedBrands(): CardBrand[];
  /** Mounts the isolated card fields (an iframe served by `apiBase`) into `target` (an element or a selector). */
  mountCardFields(target: Element | string, options?: CardFieldsOptions): CardFields;
  setTip(minor: number): Promise<PayResult>;
  setAmount(minor: number): Promise<PayResult>;
  intent(): PaymentIntentView | null;
  /** The dialect-free status of `intent()` (the core's classification), or null before it is loaded. */
  canonical(): CanonicalStatus | null;
  cancel(): void;
  destroy(): void;
  addEventListener<K extends keyof CheckoutEventMap>(type: K, listener: (ev: CheckoutEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CheckoutEventMap>(type: K, listener: (ev: CheckoutEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

export interface CardFieldsOptions {
  /** `en`, `de`, `fr` (any region); default English. */
  locale?: string;
  /** CSS values for the frame's look (resolved in `target`'s context; values only, never rules). */
  theme?: Partial<Record<'bg' | 'fg' | 'muted' | 'border' | 'accent' | 'error' | 'focus' | 'radius' | 'font' | 'fontSize', string>>;
  /** The iframe's accessible title (default `Card details`; `Security code` for `mountCvcField`). */
  title?: string;
}

/** What the fields show: never what was typed. */
export interface CardFieldsState {
  brand: CardBrand;
  /** Every field valid. */
  complete: boolean;
  empty: boolean;
  /** The errors the customer sees, by field. */
  errors: Partial<Record<'number' | 'expiry' | 'cvc' | 'name', FieldErrorCode | 'incomplete' | 'invalid'>>;
}

export interface CardFieldsEventMap {
  ready: CustomEvent<null>;
  change: CustomEvent<CardFieldsState>;
  focus: CustomEvent<{ field: 'number' | 'expiry' | 'cvc' | 'name' }>;
  blur: CustomEvent<{ field: 'number' | 'expiry' | 'cvc' | 'name' }>;
  /** Enter in a field. */
  submit: CustomEvent<null>;
  /** The frame did not load (blocked, offline). */
  error: CustomEvent<null>;
}

/** The isolated card fields, as `mountCardFields` returns them. The card stays in the frame. */
export class CardFields extends EventTarget {
  private constructor();
  /** Resolves to true once the fields are shown, false if the frame did not load. */
  readonly ready: Promise<boolean>;
  readonly state: CardFieldsState;
  readonly element: HTMLIFrameElement;
  focus(field?: 'number' | 'expiry' | 'cvc' | 'name'): void;
  setLocale(locale: string): void;
  setTheme(theme: CardFieldsOptions['theme']): void;
  /** Clears the number and security code (another card). */
  clear(): void;
  destroy(): void;
  addEventListener<K extends keyof CardFieldsEventMap>(type: K, listener: (ev: CardFieldsEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

/** Loads the SDK once, loads the intent, starts following it. Rejects with a `CheckoutError`. */
export function createCheckout(options: CheckoutOptions): Promise<Checkout>;

export type FieldErrorCode =
  | 'required'
  | 'incomplete_number'
  | 'invalid_number'
  | 'unsupported_brand'
  | 'invalid_expiry_month'
  | 'invalid_expiry_year'
  | 'expired_card'
  | 'invalid_cvc';
export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'maestro' | 'unionpay' | 'unknown';

export interface CardCheck {
  valid: boolean;
  brand: CardBrand;
  errors: Partial<Record<'number' | 'expiry' | 'cvc' | 'cardholderName', FieldErrorCode>>;
}

/** Card checks without a request (for inline errors), every field at once. Loads the module if needed. */
export function validateCard(card: Partial<CardInput>, nowMs?: number): Promise<CardCheck>;

/** Minor-unit digits of an ISO 4217 code (GBP 2, JPY 0, KWD 3); undefined if unknown or before the module loaded. */
export function currencyExponent(code: string): number | undefined;

/** The brand of a (partial) card number; undefined before the module loaded. */
export function cardBrand(number: string): CardBrand | undefined;
/** A (partial) card number grouped for display (4-4-4-4, Amex 4-6-5); undefined until the module is loaded. */
export function formatCardNumber(number: string): string | undefined;
/** How `country` (ISO 3166-1 alpha-2) writes addresses; undefined until the module is loaded. */
export function addressFormat(country: string): AddressFormat | undefined;
/** The ISO 3166-1 alpha-2 codes addresses accept; empty until the module is loaded. */
export function countryCodes(): string[];
