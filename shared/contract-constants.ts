/**
 * Constants of the admin contract that the engine needs at start, apart from contract.ts so that using
 * them does not build the contract's schemas (main/core/admin/contract-loader.ts loads those on the
 * first admin call). contract.ts re-exports them: the renderer keeps importing them from there.
 */

/**
 * One line that makes an assertion issuer's key pair with jose (in a folder where jose is installed):
 * the private JWK to paste in jwt_bearer runs, the public one for the client's trusted issuer.
 */
export const ISSUER_KEY_PAIR_COMMAND = `node -e "import('jose').then(async({generateKeyPair,exportJWK})=>{const k=await generateKeyPair('ES256',{extractable:true});console.log('private:',JSON.stringify(await exportJWK(k.privateKey)));console.log('public:',JSON.stringify(await exportJWK(k.publicKey)))})"`;

/** The query parameter of the printed browser-mode URL that carries the UI token. */
export const HTTP_UI_TOKEN_PARAM = 'token';
