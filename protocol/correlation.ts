// Correlation ids host and desk agree on. Written in the Espruino subset
// because the firmware bundles it.

/**
 * The host looks a call's IVR account number up itself when it offers the
 * call, and sends the desk the result under this prefix and the call id; the
 * desk waits for it rather than asking (a second lookup and audit row).
 */
export const IVR_CORR = 'ivr:';
