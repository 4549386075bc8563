// Types for `intent-checkout/testing` (testing.js): Playwright helpers for end-to-end tests against a local
// intent-sandbox. The Playwright types come from `playwright-core` (installed by `@playwright/test` too).
import type { FrameLocator, Locator, Page } from 'playwright-core';
import type { IntentCheckoutState, PaymentIntentView } from './element.js';

export interface TestCard {
  number: string;
  /** `MM/YY`, typed as the customer would. */
  expiry: string;
  cvc: string;
  name: string;
}

export const TEST_CARDS: Readonly<{
  success: TestCard;
  mastercard: TestCard;
  amex: TestCard;
  decline: TestCard;
  insufficientFunds: TestCard;
  threeDSecure: TestCard;
  async: TestCard;
  processingError: TestCard;
  /** Once saved, asks for its security code again when paid with (`fillCvc`). */
  cvcAgain: TestCard;
  /** The same, an Amex (4 digits). */
  cvcAgainAmex: TestCard;
}>;

export interface Order {
  /** Minor units. */
  amount?: number;
  currencyCode?: 'GBP' | 'EUR' | 'USD' | 'MYR';
  captureMode?: 'Auto' | 'Manual';
  dialect?: 'dojo' | 'stripe' | 'setel';
  reference?: string;
  description?: string;
  tipsAllowed?: boolean;
  customAmountAllowed?: boolean;
}

export interface CreatedIntent {
  paymentIntentId: string;
  /** The connect token to hand the page. */
  clientSessionSecret: string;
  clientSessionSecretExpirationDate: string;
  dialect: 'dojo' | 'stripe' | 'setel';
  intent: PaymentIntentView;
}

/** The sandbox's fault injection (`POST /test/faults`); probabilities from 0 to 1. */
export interface FaultConfig {
  seed?: number;
  errorBeforeCommit?: number;
  errorAfterCommit?: number;
  dropAfterCommit?: number;
  latencyMs?: number;
  latencyProbability?: number;
  duplicateEvents?: number;
  reorderEvents?: number;
  /** `browser` (default: the page's routes only) or `all`. */
  scope?: 'browser' | 'all';
}

export interface Sandbox {
  /** e.g. `http://127.0.0.1:41234`: use it as the element's `api-base`. */
  readonly url: string;
  readonly secretKey: string;
  /** Stops a sandbox this kit started (SIGINT); a no-op for `connectSandbox`. */
  stop(): Promise<void>;
  /** Any call; `/test/*` and merchant routes are sent with the secret key. Rejects on a non-2xx answer. */
  request<T = unknown>(method: string, path: string, body?: unknown, options?: { auth?: boolean }): Promise<T>;
  createIntent(order?: Order): Promise<CreatedIntent>;
  advanceClock(seconds: number): Promise<{ now: string; unixMillis: number; timersFired: number }>;
  setFaults(config: FaultConfig): Promise<unknown>;
  clearFaults(): Promise<unknown>;
  ledger(paymentIntentId?: string): Promise<unknown>;
}

export interface StartOptions {
  /** Path of the intent-sandbox binary (default `$INTENT_SANDBOX_BIN`, then `intent-sandbox` on the PATH). */
  binary?: string;
  /** More flags, e.g. `['--www-dir', 'dist', '--dialect', 'stripe']`. */
  args?: string[];
  secretKey?: string;
  timeoutMs?: number;
  cwd?: string;
}

/** Starts an intent-sandbox on a free port; resolves once it listens. */
export function startSandbox(options?: StartOptions): Promise<Sandbox>;
/** A handle on a sandbox already running at `url`. */
export function connectSandbox(url: string, options?: { secretKey?: string; stop?: () => Promise<void> }): Sandbox;

/** The card-fields frame's selector inside the element (isolated mode). */
export const CARD_FRAME: string;

export interface CheckoutModel {
  /** The `<intent-checkout>` element. */
  readonly host: Locator;
  /** Where the card inputs live: the card-fields frame when there is one, else the element. */
  fields(): Promise<Locator | FrameLocator>;
  fillCard(card?: Partial<TestCard>): Promise<void>;
  /** Types a chosen saved card's security code into its CVC-only frame (isolated mode). */
  fillCvc(cvc?: string): Promise<void>;
  /** Presses Pay, with `clickWhenHit`. */
  pay(): Promise<void>;
  waitForState(state: IntentCheckoutState, options?: { timeout?: number }): Promise<void>;
  state(): Promise<string | null>;
  /** Approves or fails the 3-D Secure challenge in its frame, with `clickWhenHit`. */
  completeChallenge(outcome?: 'approve' | 'fail', options?: { timeout?: number }): Promise<void>;
  byTestId(testid: string): Locator;
}

/**
 * Clicks `locator` once the browser sends the pointer to it: Chromium routes input by where frames of other
 * origins last drew, so a click just after such a frame loads, moves or hides can go to the wrong document.
 */
export function clickWhenHit(locator: Locator, options?: { timeout?: number }): Promise<void>;

/** A page model of the `<intent-checkout>` matching `selector` (default the first one) on `page`. */
export function checkoutOn(page: Page, options?: { selector?: string }): CheckoutModel;
