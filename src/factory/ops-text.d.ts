// The ops templates, imported as text (`with { type: "text" }`) so a built binary carries them.
declare module "*.service" {
  const text: string;
  export default text;
}
declare module "*.crontab" {
  const text: string;
  export default text;
}
declare module "*.plist" {
  const text: string;
  export default text;
}
declare module "*.example" {
  const text: string;
  export default text;
}
