// The explorer page in a real headless browser (Debian's chromium through playwright-core).
//
// Usage: CGSIM_URL=http://127.0.0.1:PORT/ node explorer.test.mjs   (.ci/browser.sh does it all)
// Screenshots go to ./artefacts/ (or $ARTEFACTS).

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import assert from "node:assert/strict";

const URL = process.env.CGSIM_URL;
if (!URL) throw new Error("set CGSIM_URL");
const OUT = process.env.ARTEFACTS || new globalThis.URL("./artefacts/", import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => { console.error("page error:", e); failed = true; });
  await page.goto(URL);
  await page.waitForSelector("body[data-ready='1']", { timeout: 15000 });

  const termText = () => page.evaluate(() => {
    const b = window.cgsimTerm.buffer.active;
    const lines = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i).translateToString(true));
    return lines.join("\n");
  });
  const cssSets = () => page.evaluate(() =>
    [...document.querySelectorAll("#view text")].filter((t) => /^css_set [^(]/.test(t.textContent)).length);
  const shownStep = () => page.evaluate(() => Number(document.getElementById("step").value));
  // The shell's prompt, as the terminal REPL prints it (PS1 with the working directory).
  const PS1 = /^root@cgsim:\/\S*# /;
  // Type a line and wait until the prompt is back after it (its output is in).
  async function run(line) {
    const before = (await termText()).split("\n").filter((l) => PS1.test(l)).length;
    await page.click("#term");
    await page.keyboard.type(line);
    await page.keyboard.press("Enter");
    await page.waitForFunction((n) => {
      const b = window.cgsimTerm.buffer.active;
      let prompts = 0;
      const ps1 = /^root@cgsim:\/\S*# /;
      for (let i = 0; i < b.length; i++) if (ps1.test(b.getLine(i).translateToString(true))) prompts++;
      return prompts > n;
    }, before, { timeout: 20000 });
  }
  const step = async (name, f) => {
    try { await f(); console.log(`ok   ${name}`); }
    catch (e) {
      failed = true;
      console.log(`FAIL ${name}: ${e.message}`);
      await page.screenshot({ path: `${OUT}/fail-${name.replace(/\W+/g, "-")}.png` });
    }
  };

  await step("the page loads with the sets view and no memcg yet", async () => {
    assert.equal(await cssSets(), 1, "one css_set (init_css_set) after boot");
    assert.match(await page.textContent("#gauges"), /No memory hierarchy mounted/);
    // The banner may wrap at the terminal's width: compare with the rows joined.
    const t = (await termText()).replace(/\n/g, "");
    assert.match(t, /^cgsim: a simulated Linux \S+ with cgroup v1/, "the terminal REPL's banner");
    assert.ok(t.includes("Type `help` for commands, `exit` to leave.root@cgsim:/# "),
      `the banner's end, then the terminal REPL's prompt: ${t.slice(0, 200)}`);
    await page.screenshot({ path: `${OUT}/01-boot.png` });
  });

  await step("mkdir, mount, echo $$ > tasks: output and a new css_set", async () => {
    await run("mkdir -p /cg/mem");
    await run("mount -t cgroup -o memory none /cg/mem");
    await run("mkdir /cg/mem/A");
    assert.equal(await cssSets(), 1);
    await run("echo $$ > /cg/mem/A/tasks");
    assert.equal(await cssSets(), 2, "the shell moved to /A: a second css_set");
    await run("cat /proc/$$/cgroup");
    assert.match(await termText(), /\n1:memory:\/A\n/);
    await run("cat /cg/mem/A/tasks");
    const gauges = await page.$$eval("#gauges .gauge", (g) => g.map((x) => x.dataset.cgroup));
    assert.deepEqual(gauges, ["/", "/A"]);
    await page.screenshot({ path: `${OUT}/02-moved.png` });
  });

  await step("the timeline steps back to before the echo: the css_set is gone", async () => {
    assert.equal(await shownStep(), 6);
    await page.click("#step-back");
    await page.click("#step-back");
    await page.waitForFunction(() => document.getElementById("step").value === "4");
    await page.click("#step-back");
    await page.waitForFunction(() => document.getElementById("step").value === "3");
    assert.equal(await cssSets(), 1);
    assert.match(await page.textContent("#step-label"), /step 3 of 6: after `mkdir \/cg\/mem\/A`/);
    await page.screenshot({ path: `${OUT}/03-stepped-back.png` });
    await page.click("#step-fwd");
    await page.waitForFunction(() => document.getElementById("step").value === "4");
    assert.equal(await cssSets(), 2);
    await page.click("#step-back");
    await page.waitForFunction(() => document.getElementById("step").value === "3");
  });

  await step("continue from here: the later commands' effects are gone", async () => {
    await page.click("#continue");
    await page.waitForFunction(() => document.getElementById("step").max === "3");
    assert.equal(await cssSets(), 1);
    assert.match(await termText(), /continued from step 3/);
    await run("cat /proc/$$/cgroup");
    assert.match(await termText(), /\n1:memory:\/\n/);
    assert.equal(await page.$$eval("#history li", (l) => l.length), 4);
    await run("echo $$ > /cg/mem/A/tasks");
    assert.equal(await cssSets(), 2);
  });

  await step("a pasted three-line block runs line by line, outputs in order", async () => {
    await page.click("#term");
    await page.evaluate(() => window.cgsimTerm.paste("echo one\necho two\necho three\n"));
    await page.waitForFunction(() => {
      const b = window.cgsimTerm.buffer.active;
      for (let i = 0; i < b.length; i++) if (b.getLine(i).translateToString(true) === "three") return true;
      return false;
    }, null, { timeout: 20000 });
    const t = await termText();
    const i1 = t.indexOf("# echo one\none\n");
    const i2 = t.indexOf("# echo two\ntwo\n");
    const i3 = t.indexOf("# echo three\nthree\n");
    assert.ok(i1 >= 0 && i2 > i1 && i3 > i2, `outputs in order: ${i1} ${i2} ${i3}`);
  });

  await step("a memcg gauge rises after memcg_process and kill -USR1", async () => {
    const usage = () => page.$eval("#gauges .gauge[data-cgroup='/A']", (g) => Number(g.dataset.usage));
    const before = await usage();
    await run("echo 8M > /cg/mem/A/memory.limit_in_bytes");
    await run("memcg_process --mmap-anon -s 4194304 &");
    await run("kill -USR1 $!");
    const after = await usage();
    assert.ok(after >= before + 4194304, `usage ${before} -> ${after}`);
    await page.click("#tabs button[data-view='memcg']");
    await page.waitForFunction(() => document.querySelector("#view svg") !== null);
    assert.ok(await page.$("#trace details"), "the trace tree has nested calls");
    await page.screenshot({ path: `${OUT}/04-memcg.png` });
  });

  await step("a threshold listener: the gauge shows the threshold, crossed", async () => {
    await run("cgroup_event_listener /cg/mem/A/memory.usage_in_bytes 5M &");
    await run("memcg_process --mmap-anon -s 2097152 &");
    await run("kill -USR1 $!");
    assert.ok(await page.$("#gauges .gauge[data-cgroup='/A'] .tick.crossed"), "5M threshold crossed");
    assert.match(await termText(), /\nroot@cgsim:\/\S*# kill -USR1 \$!\n[^#]*5M/, "the listener prints the crossing");
    await page.click("#tabs button[data-view='sets']");
    await page.waitForFunction(() => document.querySelector("#tabs button.active").dataset.view === "sets");
    await page.screenshot({ path: `${OUT}/05-classroom.png` });
  });

  await step("cd shows in the prompt, as in the terminal", async () => {
    await run("cd /cg/mem/A");
    const lines = (await termText()).split("\n").filter((l) => PS1.test(l));
    assert.match(lines[lines.length - 1], /^root@cgsim:\/cg\/mem\/A# $/);
  });

  await step("nothing was fetched from another host", async () => {
    const origin = new globalThis.URL(URL).origin;
    const foreign = requests.filter((r) => !r.startsWith(origin) && !r.startsWith("data:"));
    assert.deepEqual(foreign, []);
  });
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
