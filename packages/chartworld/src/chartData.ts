// Seeded data tables: topics, category names, series and values for each chart kind. Values are
// rounded to what a reader could state (integers, or one decimal on small scales) so answers are
// exact and the axis labels stay short.
import type { ChartKind, DataRow, DataTable } from "./chartTypes";
import type { Rng } from "@sketchvl/seeded-random";

interface CategoryTopic {
  noun: string; // singular, for questions ("Which country ...")
  plural: string;
  title: string; // axis title
  names: string[];
  /** Titles of the VALUE_TOPICS that make sense for these categories. */
  values: string[];
}

const CATEGORY_TOPICS: CategoryTopic[] = [
  {
    noun: "country",
    plural: "countries",
    title: "Country",
    names: ["Brazil", "Canada", "Chile", "Egypt", "France", "Germany", "India", "Japan", "Kenya", "Mexico", "Norway", "Peru", "Spain", "Turkey"],
    values: ["Population (millions)", "Exports (bn USD)", "Share (%)", "Visitors"],
  },
  {
    noun: "product",
    plural: "products",
    title: "Product",
    names: ["Laptops", "Phones", "Tablets", "Cameras", "Monitors", "Printers", "Routers", "Speakers", "Drones"],
    values: ["Revenue ($M)", "Units sold (thousands)", "Share (%)", "Score"],
  },
  {
    noun: "fruit",
    plural: "fruits",
    title: "Fruit",
    names: ["Apples", "Bananas", "Cherries", "Grapes", "Lemons", "Mangoes", "Oranges", "Pears", "Plums", "Kiwis"],
    values: ["Harvest (tonnes)", "Revenue ($M)", "Share (%)", "Units sold (thousands)"],
  },
  {
    noun: "city",
    plural: "cities",
    title: "City",
    names: ["Oslo", "Lima", "Cairo", "Delhi", "Tokyo", "Paris", "Rome", "Seoul", "Quito", "Dakar", "Hanoi"],
    values: ["Rainfall (mm)", "Population (millions)", "Visitors", "Score"],
  },
  {
    noun: "department",
    plural: "departments",
    title: "Department",
    names: ["Sales", "Marketing", "Support", "R&D", "Finance", "Legal", "HR", "IT", "Ops"],
    values: ["Budget ($k)", "Headcount", "Share (%)", "Revenue ($M)"],
  },
  {
    noun: "sport",
    plural: "sports",
    title: "Sport",
    names: ["Tennis", "Soccer", "Rugby", "Hockey", "Golf", "Cycling", "Rowing", "Boxing", "Judo"],
    values: ["Visitors", "Share (%)", "Score", "Budget ($k)"],
  },
];

interface ValueTopic {
  title: string;
  lo: number;
  hi: number;
  decimals: 0 | 1;
}

const VALUE_TOPICS: ValueTopic[] = [
  { title: "Revenue ($M)", lo: 5, hi: 95, decimals: 0 },
  { title: "Units sold (thousands)", lo: 100, hi: 900, decimals: 0 },
  { title: "Share (%)", lo: 2, hi: 48, decimals: 1 },
  { title: "Population (millions)", lo: 3, hi: 60, decimals: 1 },
  { title: "Exports (bn USD)", lo: 1000, hi: 9000, decimals: 0 },
  { title: "Rainfall (mm)", lo: 20, hi: 240, decimals: 0 },
  { title: "Score", lo: 1, hi: 9.5, decimals: 1 },
  { title: "Visitors", lo: 1200, hi: 48000, decimals: 0 },
  { title: "Harvest (tonnes)", lo: 300, hi: 2400, decimals: 0 },
  { title: "Budget ($k)", lo: 40, hi: 950, decimals: 0 },
  { title: "Headcount", lo: 4, hi: 60, decimals: 0 },
];

const GROUP_SERIES: { title: string; names: string[] }[] = [
  { title: "Year", names: ["2021", "2022", "2023"] },
  { title: "Gender", names: ["Men", "Women"] },
  { title: "Channel", names: ["Online", "In-store"] },
  { title: "Quarter", names: ["Q1", "Q2", "Q3", "Q4"] },
  { title: "Area", names: ["Urban", "Rural"] },
  { title: "Plan", names: ["Basic", "Plus", "Pro"] },
];

const LINE_SERIES: { title: string; names: string[] }[] = [
  { title: "Indicator", names: ["FDI", "Exports", "Imports"] },
  { title: "Company", names: ["Company A", "Company B", "Company C"] },
  { title: "Source", names: ["Coal", "Gas", "Solar", "Wind"] },
  { title: "Region", names: ["North", "South", "East", "West"] },
  { title: "Rate", names: ["Inflation", "Unemployment"] },
];

const LINE_VALUES: ValueTopic[] = [
  { title: "Share of GDP (%)", lo: 0.5, hi: 12, decimals: 1 },
  { title: "Capacity (GW)", lo: 5, hi: 140, decimals: 0 },
  { title: "Price ($)", lo: 10, hi: 90, decimals: 1 },
  { title: "Index", lo: 60, hi: 180, decimals: 0 },
  { title: "Sales (units)", lo: 200, hi: 5000, decimals: 0 },
];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const SCATTER_TOPICS: { x: ValueTopic; y: ValueTopic; groupTitle: string; groups: string[] }[] = [
  {
    x: { title: "Income ($k)", lo: 2, hi: 80, decimals: 0 },
    y: { title: "Life expectancy (years)", lo: 52, hi: 84, decimals: 1 },
    groupTitle: "Continent",
    groups: ["Africa", "Asia", "Europe", "Americas"],
  },
  {
    x: { title: "Height (cm)", lo: 150, hi: 195, decimals: 0 },
    y: { title: "Weight (kg)", lo: 45, hi: 110, decimals: 0 },
    groupTitle: "Group",
    groups: ["Men", "Women"],
  },
  {
    x: { title: "Ad spend ($k)", lo: 5, hi: 120, decimals: 0 },
    y: { title: "Sales ($k)", lo: 20, hi: 600, decimals: 0 },
    groupTitle: "Channel",
    groups: ["Online", "TV", "Print"],
  },
  {
    x: { title: "Study time (h)", lo: 1, hi: 30, decimals: 1 },
    y: { title: "Exam score", lo: 30, hi: 100, decimals: 0 },
    groupTitle: "School",
    groups: ["North", "South"],
  },
];

/** A table plus the nouns a question needs to talk about it. */
export interface GeneratedData {
  table: DataTable;
  /** Singular noun of a category ("country", "year"), for question text. */
  categoryNoun: string;
  categoryPlural: string;
  /** Name of the measured quantity without its unit ("Revenue"), for titles. */
  valueName: string;
  /** The quantity as a question says it ("number of visitors"). */
  valuePhrase: string;
  decimals: 0 | 1;
}

function round(v: number, decimals: 0 | 1): number {
  return decimals === 0 ? Math.round(v) : Math.round(v * 10) / 10;
}

function valueName(title: string): string {
  return title.replace(/\s*\(.*\)\s*$/, "");
}

const PHRASES: Record<string, string> = {
  Visitors: "number of visitors",
  "Units sold": "number of units sold",
  Exports: "export value",
  Sales: "sales volume",
  Harvest: "harvest",
  Headcount: "headcount",
};

/** "Revenue" -> "revenue", but "GDP" stays; some names read better as a phrase. */
function valuePhrase(title: string): string {
  const name = valueName(title);
  if (PHRASES[name]) return PHRASES[name];
  return name.length > 1 && name[1] === name[1].toLowerCase() ? name[0].toLowerCase() + name.slice(1) : name;
}

function categoryData(rng: Rng, kind: ChartKind): GeneratedData {
  const topic = rng.pick(CATEGORY_TOPICS);
  const valueTitle = rng.pick(topic.values);
  const vt = VALUE_TOPICS.find((v) => v.title === valueTitle) ?? VALUE_TOPICS[0];
  const grouped = kind === "grouped-bar";
  const n = grouped ? rng.int(3, 5) : rng.int(4, kind === "hbar" ? 9 : 8);
  const categories = rng.sample(topic.names, n);
  if (rng.bool(0.5)) categories.sort();
  const group = grouped ? rng.pick(GROUP_SERIES) : null;
  const series = group ? group.names.slice(0, rng.int(2, group.names.length)) : [""];
  const rows: DataRow[] = [];
  // Start well above zero sometimes, near zero other times, so bar heights vary in contrast.
  const lo = vt.lo + (vt.hi - vt.lo) * rng.float(0, 0.3);
  for (const s of series) {
    for (const c of categories) rows.push({ category: c, series: s, value: round(rng.float(lo, vt.hi), vt.decimals) });
  }
  return {
    table: { categoryTitle: topic.title, valueTitle: vt.title, seriesTitle: group ? group.title : null, categories, series, rows },
    categoryNoun: topic.noun,
    categoryPlural: topic.plural,
    valueName: valueName(vt.title),
    valuePhrase: valuePhrase(vt.title),
    decimals: vt.decimals,
  };
}

function lineData(rng: Rng, kind: ChartKind): GeneratedData {
  const vt = rng.pick(LINE_VALUES);
  const useYears = rng.bool(0.75);
  const n = rng.int(6, useYears ? 12 : 12);
  let categories: string[];
  if (useYears) {
    const start = rng.int(1995, 2024 - n);
    categories = Array.from({ length: n }, (_, i) => String(start + i));
  } else {
    categories = MONTHS.slice(0, n);
  }
  const group = kind === "multi-line" ? rng.pick(LINE_SERIES) : null;
  const series = group ? rng.sample(group.names, rng.int(2, Math.min(3, group.names.length))) : [""];
  const rows: DataRow[] = [];
  const span = vt.hi - vt.lo;
  for (const s of series) {
    // A trending random walk, so "first stays above" questions have real crossings.
    let v = vt.lo + span * rng.float(0.05, 0.6);
    const trend = (span / n) * rng.float(-0.6, 1.2);
    for (const c of categories) {
      v = Math.min(vt.hi, Math.max(vt.lo, v + trend + rng.normal() * span * 0.08));
      rows.push({ category: c, series: s, value: round(v, vt.decimals) });
    }
  }
  return {
    table: { categoryTitle: useYears ? "Year" : "Month", valueTitle: vt.title, seriesTitle: group ? group.title : null, categories, series, rows },
    categoryNoun: useYears ? "year" : "month",
    categoryPlural: useYears ? "years" : "months",
    valueName: valueName(vt.title),
    valuePhrase: valuePhrase(vt.title),
    decimals: vt.decimals,
  };
}

function scatterData(rng: Rng): GeneratedData {
  const topic = rng.pick(SCATTER_TOPICS);
  const groups = topic.groups.slice(0, rng.int(2, topic.groups.length));
  const n = rng.int(10, 24);
  const rows: DataRow[] = [];
  const corr = rng.float(-0.8, 0.9);
  for (let i = 0; i < n; i++) {
    const t = rng.next();
    const u = Math.min(1, Math.max(0, 0.5 + corr * (t - 0.5) + rng.normal() * 0.18));
    rows.push({
      category: `p${i}`,
      series: groups[i % groups.length],
      x: round(topic.x.lo + (topic.x.hi - topic.x.lo) * t, topic.x.decimals),
      value: round(topic.y.lo + (topic.y.hi - topic.y.lo) * u, topic.y.decimals),
    });
  }
  return {
    table: { categoryTitle: "Point", valueTitle: topic.y.title, xTitle: topic.x.title, seriesTitle: topic.groupTitle, categories: [], series: groups, rows },
    categoryNoun: "point",
    categoryPlural: "points",
    valueName: valueName(topic.y.title),
    valuePhrase: valuePhrase(topic.y.title),
    decimals: topic.y.decimals,
  };
}

export function generateData(rng: Rng, kind: ChartKind): GeneratedData {
  if (kind === "line" || kind === "multi-line") return lineData(rng, kind);
  if (kind === "scatter") return scatterData(rng);
  return categoryData(rng, kind);
}
