// What a dev command says when it has no webhook secret to sign with.

/** `file`: where the embedded development default keeps the generated secret (config.*.secretFile), if it is that. */
export function missingSecret(variable: string, file: string | undefined): string {
  return file
    ? `no ${variable} and none generated yet in ${file}: start the server first (npm start makes one), or set ${variable} as the server has it`
    : `set ${variable} (the same value as the server)`;
}
