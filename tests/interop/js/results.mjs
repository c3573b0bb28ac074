// Why a Digital Bazaar verification result did not verify, in one line (shared by
// interop.mjs and bench/reference_server/server.mjs; Node builtins only).

export function describeError(result) {
  if(result.verified) {
    return null;
  }
  const messages = [];
  const collect = error => {
    if(!error) {
      return;
    }
    if(Array.isArray(error.errors)) {
      error.errors.forEach(collect);
    } else if(error.message && !messages.includes(error.message)) {
      messages.push(error.message);
    }
    // jsonld wraps document loader failures; keep the loader's own reason
    collect(error.details?.cause ?? error.cause);
  };
  collect(result.error);
  for(const entry of result.results || []) {
    collect(entry.error);
    collect(entry.purposeResult?.error);
  }
  collect(result.statusResult?.error);
  return messages.join('; ') || 'verification failed';
}
