import type twilio from 'twilio';

type RequestClientOptions<T> = import('twilio/lib/base/RequestClient').RequestOptions<T>;
type TwilioResponse<T> = import('twilio/lib/http/response').default<T>;

export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

/**
 * The real `twilio` client has no base-URL option: this request client rewrites every
 * `https://*.twilio.com` address to the channel's `apiBaseUrl` (a Twilio-compatible provider,
 * or a local stand-in in tests). One instance per call: nothing tenant-specific is shared.
 */
export function baseUrlRequestClient(
  baseUrl: string | undefined,
  opts: ConstructorParameters<typeof twilio.RequestClient>[0] = {},
): InstanceType<typeof twilio.RequestClient> {
  // The class is made with the first client: the twilio package loads then, not at start-up.
  BaseUrlRequestClient ??= class extends twilioPackage().RequestClient {
    constructor(
      private readonly baseUrl: string | undefined,
      opts: ConstructorParameters<typeof twilio.RequestClient>[0],
    ) {
      super(opts);
    }

    override request<TData>(opts: RequestClientOptions<TData>): Promise<TwilioResponse<TData>> {
      return super.request<TData>({ ...opts, uri: rewriteTwilioUrl(opts.uri, this.baseUrl) });
    }
  };
  return new BaseUrlRequestClient(baseUrl, opts);
}

/** The twilio package, loaded with the first client (it is large; the app starts without it). */
const twilioPackage = () => require('twilio') as typeof import('twilio');
let BaseUrlRequestClient:
  | (new (
      baseUrl: string | undefined,
      opts: ConstructorParameters<typeof twilio.RequestClient>[0],
    ) => InstanceType<typeof twilio.RequestClient>)
  | undefined;

/** `https://api.twilio.com/2010-04-01/…` -> `<baseUrl>/2010-04-01/…` when a base URL is set. */
export function rewriteTwilioUrl(uri: string, baseUrl: string | undefined): string {
  if (!baseUrl) return uri;
  return uri.replace(/^https:\/\/[a-z0-9.-]*twilio\.com(?=\/|$)/i, baseUrl.replace(/\/+$/, ''));
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  apiBaseUrl?: string;
}

export function twilioClient(c: TwilioCredentials, timeoutMs = 15_000): twilio.Twilio {
  return twilioPackage()(c.accountSid, c.authToken, {
    httpClient: baseUrlRequestClient(c.apiBaseUrl, { timeout: timeoutMs }),
    autoRetry: false,
  });
}

/**
 * Whether a media or recording URL may receive the account's credentials: only Twilio's own
 * hosts or the configured API base URL, never a third party.
 */
export function isTwilioHostedUrl(url: string, apiBaseUrl: string | undefined): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (apiBaseUrl) {
    try {
      if (u.origin === new URL(apiBaseUrl).origin) return true;
    } catch {
      /* invalid base URL: only Twilio's hosts */
    }
  }
  return u.protocol === 'https:' && (u.hostname === 'twilio.com' || u.hostname.endsWith('.twilio.com'));
}
