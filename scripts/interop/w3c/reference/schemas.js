// Request-body schemas of the reference server: Digital Bazaar's own, from the npm tarballs of
// @bedrock/vc-issuer and @bedrock/vc-verifier (versions in schema-packages.json), unpacked into
// ./vendor by vendor-schemas.mjs when the reference is installed. Installing those packages
// would pull in the whole bedrock platform; only these schema modules are needed.
export {issueCredentialBody} from
  './vendor/node_modules/@bedrock/vc-issuer/schemas/bedrock-vc-issuer.js';
export {verifyCredentialBody, verifyPresentationBody} from
  './vendor/node_modules/@bedrock/vc-verifier/schemas/bedrock-vc-verifier.js';
