/**
 * HPACK (RFC 7541) of the HTTP/2 client: the decoder on the RFC's own
 * examples (Appendix C: integers, the dynamic table across blocks, table
 * eviction, Huffman strings), the encoder round trip, and malformed input;
 * plus the proxy bypass list (`NO_PROXY`).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  encodeHeaderBlock,
  HpackDecoder,
  huffmanDecode,
} from "../../../examples/lunge/http/_hpack.ts";
import { ProtocolError } from "../../../examples/lunge/http/errors.ts";
import { bypassesProxy } from "../../../examples/lunge/http/_proxy.ts";

const hex = (s: string) =>
  new Uint8Array(s.replace(/\s+/g, "").match(/../g)!.map((x) => parseInt(x, 16)));

Deno.test("hpack: RFC 7541 C.3 requests without Huffman share one dynamic table", () => {
  const d = new HpackDecoder();
  assert.deepEqual(d.decode(hex("828684410f7777772e6578616d706c652e636f6d")), [
    [":method", "GET"],
    [":scheme", "http"],
    [":path", "/"],
    [":authority", "www.example.com"],
  ]);
  assert.equal(d.tableSize, 57);
  assert.deepEqual(d.decode(hex("828684be58086e6f2d6361636865")).at(-1), [
    "cache-control",
    "no-cache",
  ]);
  assert.equal(d.tableSize, 110);
  assert.deepEqual(
    d.decode(hex("828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565")).slice(2),
    [[":path", "/index.html"], [":authority", "www.example.com"], ["custom-key", "custom-value"]],
  );
  assert.equal(d.tableSize, 164);
});

Deno.test("hpack: RFC 7541 C.6 responses with Huffman and eviction (table size 256)", () => {
  const d = new HpackDecoder(256);
  const first = d.decode(hex(
    "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
  ));
  assert.deepEqual(first, [
    [":status", "302"],
    ["cache-control", "private"],
    ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
    ["location", "https://www.example.com"],
  ]);
  assert.equal(d.tableSize, 222);
  const second = d.decode(hex("4883640effc1c0bf"));
  assert.deepEqual(second[0], [":status", "307"]);
  assert.deepEqual(second[3], ["location", "https://www.example.com"]);
  assert.equal(d.tableSize, 222);
  const third = d.decode(hex(
    "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
  ));
  assert.deepEqual(third.at(-1), [
    "set-cookie",
    "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
  ]);
  assert.deepEqual(third[4], ["content-encoding", "gzip"]);
  assert.equal(d.tableSize, 215);
});

Deno.test("hpack: Huffman strings, and padding that is not the EOS prefix is refused", () => {
  assert.equal(huffmanDecode(hex("f1e3c2e5f23a6ba0ab90f4ff"), 0, 12), "www.example.com");
  assert.equal(huffmanDecode(hex("a8eb10649cbf"), 0, 6), "no-cache");
  assert.throws(() => huffmanDecode(hex("f1e3c2e5f23a6ba0ab90f400"), 0, 12), ProtocolError);
  assert.throws(() => huffmanDecode(hex("ffffffff"), 0, 4), ProtocolError); // EOS / padding > 7 bits
});

Deno.test("hpack: the encoder's literals decode back; bad blocks are protocol errors", () => {
  const fields: [string, string][] = [
    [":method", "POST"],
    [":path", "/a?b=c"],
    ["x-custom", "v".repeat(300)],
    ["user-agent", "lunge"],
  ];
  const d = new HpackDecoder();
  assert.deepEqual(d.decode(encodeHeaderBlock(fields)), fields);
  assert.equal(d.tableSize, 0, "literals without indexing add nothing to the table");
  assert.throws(() => d.decode(hex("80")), ProtocolError); // index 0
  assert.throws(() => d.decode(hex("ff00")), ProtocolError); // beyond both tables
  assert.throws(() => d.decode(hex("0085f1e3")), ProtocolError); // truncated string
  assert.throws(() => d.decode(hex("3fe21f")), ProtocolError); // size update to 4097 > 4096
});

Deno.test("NO_PROXY: hosts, subdomains, IPs, CIDR ranges, ports and *", () => {
  const list = "example.com, .internal.test, 10.0.0.0/8, 127.0.0.1:8080, [::1]";
  assert.ok(bypassesProxy(list, "example.com", 80));
  assert.ok(bypassesProxy(list, "api.example.com", 443));
  assert.ok(!bypassesProxy(list, "notexample.com", 80));
  assert.ok(bypassesProxy(list, "a.internal.test", 80));
  assert.ok(bypassesProxy(list, "10.2.3.4", 80));
  assert.ok(!bypassesProxy(list, "11.2.3.4", 80));
  assert.ok(bypassesProxy(list, "127.0.0.1", 8080));
  assert.ok(!bypassesProxy(list, "127.0.0.1", 8081));
  assert.ok(bypassesProxy(list, "::1", 80));
  assert.ok(bypassesProxy("*", "anything", 1));
  assert.ok(!bypassesProxy(undefined, "example.com", 80));
});
