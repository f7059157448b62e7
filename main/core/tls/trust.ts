import { shellQuote } from '../../../shared/quote';

/** One way to make a system or a tool trust the local CA. */
export interface TrustCommand {
  /** Where it applies: "Debian/Ubuntu", "macOS", "Node.js", … */
  label: string;
  command: string;
}

/** Quoted for sh (Linux, macOS): the default data folder's path has a space ("IDP Sandbox"). */
function sh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quoted for cmd and PowerShell; a Windows path cannot contain a double quote. */
function windows(value: string): string {
  return `"${value}"`;
}

/** The commands that make this machine's systems and tools trust the CA at `caCertPath`. */
export function trustCommands(caCertPath: string, issuer: string): TrustCommand[] {
  const ca = sh(caCertPath);
  return [
    {
      label: 'Debian/Ubuntu',
      command: `sudo cp ${ca} /usr/local/share/ca-certificates/idp-sandbox.crt && sudo update-ca-certificates`,
    },
    {
      label: 'Fedora/RHEL',
      command: `sudo cp ${ca} /etc/pki/ca-trust/source/anchors/idp-sandbox.crt && sudo update-ca-trust`,
    },
    {
      label: 'macOS',
      command: `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${ca}`,
    },
    { label: 'Windows (current user)', command: `certutil -user -addstore Root ${windows(caCertPath)}` },
    { label: 'Node.js', command: `NODE_EXTRA_CA_CERTS=${ca} node your-app.js` },
    {
      label: 'curl',
      command: `curl --cacert ${ca} ${shellQuote(`${issuer}/.well-known/openid-configuration`)}`,
    },
  ];
}
