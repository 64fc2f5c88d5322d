/**
 * Jest runs each test file in its own vm context, whose `Error` is not the `Error` of Node's main
 * realm. Errors Node creates itself (the DOMException AbortError of `AbortController.abort()`,
 * ECONNRESET and other socket errors) then fail `instanceof Error` inside the test, where they
 * pass in a real n8n process. n8n's own code depends on that check: `sleep` from n8n-workflow
 * turns such an abort reason into "Error that was not an instance of Error was thrown" instead
 * of rejecting with the AbortError. This makes `instanceof Error` in the test context accept the
 * main realm's errors too, so the node meets the errors it meets in production.
 */
export function acceptMainRealmErrors(): void {
	const MainRealmError = Object.getPrototypeOf(DOMException.prototype)?.constructor as
		ErrorConstructor | undefined;
	if (!MainRealmError || MainRealmError === Error) return; // same realm: nothing to do
	if (Object.prototype.hasOwnProperty.call(Error, Symbol.hasInstance)) return; // done already
	const ordinary = Function.prototype[Symbol.hasInstance];
	Object.defineProperty(Error, Symbol.hasInstance, {
		configurable: true,
		// Subclasses inherit this method: only `instanceof Error` itself gets the wider reading.
		value(this: unknown, value: unknown): boolean {
			if (ordinary.call(this, value)) return true;
			return this === Error && ordinary.call(MainRealmError, value);
		},
	});
}
