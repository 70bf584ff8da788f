// Cron expressions in words, for the common shapes ("every Monday at
// 10:00", "every 15 minutes"); anything else is shown as the expression.
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DAY_NAMES = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };
const MACROS = {
  "@yearly": "every year on January 1 at 00:00",
  "@annually": "every year on January 1 at 00:00",
  "@monthly": "on the 1st of every month at 00:00",
  "@weekly": "every Sunday at 00:00",
  "@daily": "every day at 00:00",
  "@midnight": "every day at 00:00",
  "@hourly": "every hour at minute 0",
};

const isNumber = (field) => /^\d+$/.test(field);
const pad = (n) => String(n).padStart(2, "0");

function dayName(field) {
  const upper = field.toUpperCase();
  if (upper in DAY_NAMES) return DAYS[DAY_NAMES[upper]];
  return isNumber(field) && Number(field) <= 7 ? DAYS[Number(field)] : null;
}

// "MON-FRI" -> "Monday to Friday"; "MON,WED" -> "Monday and Wednesday".
function daysInWords(field) {
  const range = /^(\w+)-(\w+)$/.exec(field);
  if (range && dayName(range[1]) && dayName(range[2])) return `${dayName(range[1])} to ${dayName(range[2])}`;
  const names = field.split(",").map(dayName);
  if (names.some((name) => !name)) return null;
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function ordinal(n) {
  const suffix = n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th";
  return `${n}${suffix}`;
}

function timeOfDay(minute, hour, dom, month, dow) {
  const at = `${pad(hour)}:${pad(minute)}`;
  if (month !== "*") return null;
  if (dom === "*" && (dow === "*" || dow === "?")) return `every day at ${at}`;
  if ((dom === "*" || dom === "?") && dow !== "*") {
    const days = daysInWords(dow);
    return days ? `every ${days} at ${at}` : null;
  }
  if (isNumber(dom) && (dow === "*" || dow === "?")) return `on the ${ordinal(Number(dom))} of every month at ${at}`;
  if (dom === "L" && (dow === "*" || dow === "?")) return `on the last day of every month at ${at}`;
  return null;
}

export function cronInWords(expression) {
  const text = String(expression).trim();
  if (MACROS[text.toLowerCase()]) return MACROS[text.toLowerCase()];
  let fields = text.split(/\s+/);
  if (fields.length === 6) {
    if (fields[0] !== "0") return `cron "${text}"`;
    fields = fields.slice(1);
  }
  if (fields.length !== 5) return `cron "${text}"`;
  const [minute, hour, dom, month, dow] = fields;
  const step = /^\*\/(\d+)$/.exec(minute);
  if (step && hour === "*" && dom === "*" && month === "*" && dow === "*") return `every ${step[1]} minutes`;
  if (minute === "*" && hour === "*" && dom === "*" && month === "*" && dow === "*") return "every minute";
  if (isNumber(minute) && hour === "*" && dom === "*" && month === "*" && dow === "*") {
    return `every hour at minute ${Number(minute)}`;
  }
  if (isNumber(minute) && isNumber(hour)) {
    const words = timeOfDay(Number(minute), Number(hour), dom, month, dow);
    if (words) return words;
  }
  return `cron "${text}"`;
}
