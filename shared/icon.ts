/**
 * The product's icon, as SVG: the one source for the window and installer icons (scripts/make-icons.mjs
 * renders them to PNG), the admin UI's favicon (renderer/public/favicon.svg, kept equal by a unit
 * test) and the provider's own pages (/favicon.ico and the login page's inline icon).
 * A shield (the provider) holding a token's three dot-separated parts.
 */
export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256"><title>IDP Sandbox</title>' +
  '<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">' +
  '<stop offset="0" stop-color="#4c6ef5"/><stop offset="1" stop-color="#1c2f8f"/></linearGradient></defs>' +
  '<rect width="256" height="256" rx="56" fill="url(#bg)"/>' +
  '<path d="M128 36 208 66v58c0 50-33 86-80 100-47-14-80-50-80-100V66z" fill="#fff"/>' +
  '<rect x="74" y="112" width="26" height="26" rx="7" fill="#e03131"/>' +
  '<rect x="115" y="112" width="26" height="26" rx="7" fill="#7048e8"/>' +
  '<rect x="156" y="112" width="26" height="26" rx="7" fill="#1098ad"/>' +
  '</svg>';

/** The icon as a data: URI, for pages whose CSP allows images only from 'self' and data:. */
export const ICON_DATA_URI = `data:image/svg+xml,${encodeURIComponent(ICON_SVG)}`;
