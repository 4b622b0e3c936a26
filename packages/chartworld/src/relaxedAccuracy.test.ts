import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseChartNumber, relaxedAccuracy } from "./relaxedAccuracy";

test("parseChartNumber: plain, signed, percent, thousands separators", () => {
  assert.equal(parseChartNumber("42"), 42);
  assert.equal(parseChartNumber(" -3.5 "), -3.5);
  assert.equal(parseChartNumber("\u22123.5"), -3.5);
  assert.equal(parseChartNumber("12%"), 12);
  assert.equal(parseChartNumber("12.5 %"), 12.5);
  assert.equal(parseChartNumber("1,234"), 1234);
  assert.equal(parseChartNumber("1,234,567.25"), 1234567.25);
  assert.equal(parseChartNumber(".5"), 0.5);
  assert.equal(parseChartNumber("1,23"), null); // not a thousands grouping
  assert.equal(parseChartNumber("12,3456"), null);
  assert.equal(parseChartNumber("abc"), null);
  assert.equal(parseChartNumber(""), null);
  assert.equal(parseChartNumber("1e5"), null);
});

test("numbers: 5% relative tolerance, inclusive", () => {
  assert.equal(relaxedAccuracy("105", "100"), true);
  assert.equal(relaxedAccuracy("95", "100"), true);
  assert.equal(relaxedAccuracy("105.01", "100"), false);
  assert.equal(relaxedAccuracy("94.9", "100"), false);
  assert.equal(relaxedAccuracy("-10.4", "-10"), true);
  assert.equal(relaxedAccuracy("10", "-10"), false);
  assert.equal(relaxedAccuracy("27.7", "27.7"), true);
});

test("numbers: percent and thousands separators on either side", () => {
  assert.equal(relaxedAccuracy("45%", "45"), true);
  assert.equal(relaxedAccuracy("45", "45%"), true);
  assert.equal(relaxedAccuracy("1,000", "1000"), true);
  assert.equal(relaxedAccuracy("1020", "1,000"), true);
  assert.equal(relaxedAccuracy("21,223", "21223"), true);
});

test("zero reference needs an exact match", () => {
  assert.equal(relaxedAccuracy("0", "0"), true);
  assert.equal(relaxedAccuracy("0.0", "0"), true);
  assert.equal(relaxedAccuracy("0.01", "0"), false);
});

test("years are exact, not within 5%", () => {
  assert.equal(relaxedAccuracy("2012", "2012"), true);
  assert.equal(relaxedAccuracy("2011", "2012"), false);
  assert.equal(relaxedAccuracy("1999", "2000"), false);
});

test("text: trimmed, case-insensitive exact", () => {
  assert.equal(relaxedAccuracy("  company a ", "Company A"), true);
  assert.equal(relaxedAccuracy("Company", "Company A"), false);
  assert.equal(relaxedAccuracy("Brazil", "brazil"), true);
  assert.equal(relaxedAccuracy("Yes", "no"), false);
  assert.equal(relaxedAccuracy("12 apples", "12"), false);
});

test("lists element by element, order kept", () => {
  assert.equal(relaxedAccuracy("Brazil, Chile", "brazil, chile"), true);
  assert.equal(relaxedAccuracy("Chile, Brazil", "Brazil, Chile"), false);
  assert.equal(relaxedAccuracy("10; 20.5", "10.2; 20"), true);
  assert.equal(relaxedAccuracy("10; 30", "10; 20"), false);
  assert.equal(relaxedAccuracy("10", "10; 20"), false);
  assert.equal(relaxedAccuracy("Men and Women", "men, women"), true);
});

test("max over references; null prediction fails", () => {
  assert.equal(relaxedAccuracy("7", ["3", "7.2"]), true);
  assert.equal(relaxedAccuracy("7", ["3", "8"]), false);
  assert.equal(relaxedAccuracy("x", []), false);
  assert.equal(relaxedAccuracy(null, "1"), false);
  assert.equal(relaxedAccuracy(undefined, "1"), false);
});

test("property: any number within 5% of a non-zero, non-year reference is accepted", () => {
  fc.assert(
    fc.property(fc.double({ min: 0.01, max: 1e6, noNaN: true }), fc.double({ min: -0.0499, max: 0.0499, noNaN: true }), (g, rel) => {
      const gt = g.toFixed(2);
      if (/^(1[5-9]\d\d|20\d\d)(\.00)?$/.test(gt) || Number(gt) === 0) return;
      const pred = (Number(gt) * (1 + rel)).toFixed(6);
      assert.equal(relaxedAccuracy(pred, gt), true, `${pred} vs ${gt}`);
    }),
  );
});

test("property: a number more than 5.1% away is rejected", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0.051, max: 10, noNaN: true }), fc.boolean(), (g, rel, up) => {
      const pred = g * (up ? 1 + rel : 1 - rel);
      assert.equal(relaxedAccuracy(String(pred), String(g)), false);
    }),
  );
});
