// Parses LogQL queries (one JSON array of strings on stdin) with Grafana's LogQL grammar,
// the one Grafana's own query editor uses. Prints one JSON result per query; exits 1 if
// any query has a syntax error (lezer parsers recover, so errors are error nodes).
import { parser } from "@grafana/lezer-logql";

const input = await new Promise((resolve) => {
  let data = "";
  process.stdin.on("data", (chunk) => (data += chunk));
  process.stdin.on("end", () => resolve(data));
});

let failed = false;
const results = JSON.parse(input).map((query) => {
  const errors = [];
  parser.parse(query).iterate({
    enter(node) {
      if (node.type.isError) errors.push({ from: node.from, to: node.to, near: query.slice(node.from, node.from + 20) });
    },
  });
  if (errors.length) failed = true;
  return { query, errors };
});
console.log(JSON.stringify(results, null, 2));
process.exit(failed ? 1 : 0);
