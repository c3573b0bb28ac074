// Verifies vcservice's SD-JWT VCs with the OpenWallet Foundation's sd-jwt-js (@sd-jwt/sd-jwt-vc
// and @sd-jwt/crypto-nodejs), and decodes its Token Status Lists with @sd-jwt/jwt-status-list.
//
// Usage: node interop.mjs cases.json — every case in one process; prints one JSON array of
// results, in the order of the cases.
//
// A "verify" case: the library's own SDJwtVcInstance.verify with the issuer's public JWK
// (ES256), the holder's key from cnf for the KB-JWT, the nonce to expect, the Status List
// Token served for the status uri, and the Type Metadata served for the vct (validated by the
// library's schema). The library does not compare the KB-JWT's aud: its value is returned.
// A "status" case: the list a Status List Token carries, decoded by the library, at indices.

import { readFileSync } from "node:fs";
import { ES256, ES384, digest } from "@sd-jwt/crypto-nodejs";
import { getListFromStatusListJWT, getStatusListFromJWT } from "@sd-jwt/jwt-status-list";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";

const ALGORITHMS = { ES256, ES384 };
const HOLDER_ALGORITHMS = { "P-256": ES256, "P-384": ES384 };

async function verify(c) {
  const issuer = await ALGORITHMS[c.alg].getVerifier(c.issuerJwk);
  const instance = new SDJwtVcInstance({
    hasher: digest,
    verifier: issuer,
    kbVerifier: async (data, signature, payload) => {
      const jwk = payload.cnf.jwk;
      return (await HOLDER_ALGORITHMS[jwk.crv].getVerifier(jwk))(data, signature);
    },
    statusListFetcher: async (uri) => {
      if (uri !== c.statusListUri) throw new Error(`unexpected status list ${uri}`);
      return c.statusListToken;
    },
    loadTypeMetadataFormat: true,
    vctFetcher: async (vct) => {
      if (vct !== c.vct) throw new Error(`unexpected vct ${vct}`);
      return c.typeMetadata;
    },
  });
  try {
    const result = await instance.verify(c.presentation, {
      keyBindingNonce: c.nonce,
      skewSeconds: 120,
    });
    return {
      name: c.name,
      verified: true,
      claims: result.payload,
      kbAudience: result.kb?.payload?.aud ?? null,
      typeMetadataVct: result.typeMetadata?.mergedTypeMetadata?.vct ?? null,
    };
  } catch (error) {
    return { name: c.name, verified: false, error: String(error?.message ?? error) };
  }
}

function status(c) {
  const list = getListFromStatusListJWT(c.token);
  const reference = getStatusListFromJWT(c.referencedJwt);
  return {
    name: c.name,
    bits: list.getBitsPerStatus(),
    reference,
    statuses: c.indices.map((index) => list.getStatus(index)),
  };
}

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
for (const c of cases) {
  results.push(c.kind === "verify" ? await verify(c) : status(c));
}
process.stdout.write(JSON.stringify(results));
