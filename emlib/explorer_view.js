// The explorers' front end (see _explorer_view.py for the protocol with the kernel).

function valueAt(control, position) {
  const x = control.min + position * control.step;
  return control.scale === "log10" ? 10 ** x : Math.round(x);
}

function positionOf(control, value) {
  const x = control.scale === "log10" ? Math.log10(value) : value;
  const position = Math.round((x - control.min) / control.step);
  return Math.min(control.positions, Math.max(0, position));
}

// Python's f"{value:#.{digits}g}" without a trailing point: JavaScript's toPrecision.
function format(control, value) {
  return control.scale === "log10" ? Number(value).toPrecision(control.digits) : String(value);
}

let counter = 0;

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "emlib-explorer";
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", model.get("description"));
  const bar = document.createElement("div");
  bar.className = "emlib-controls";
  // The picture: a canvas of the kernel's pixels, named by the text alternative it sends.
  const canvas = document.createElement("canvas");
  canvas.className = "emlib-picture";
  canvas.setAttribute("role", "img");
  const summary = document.createElement("div");
  summary.className = "emlib-summary";
  root.append(bar, canvas, summary);
  el.append(root);

  const inputs = {};
  const readouts = {};
  const controls = model.get("controls");
  const moved = new Set(); // controls moved since the last request was sent
  let request = model.get("drawn");
  let waiting = 0; // the request whose picture has not come yet, 0 if none

  function show(control, value) {
    const text = format(control, value);
    readouts[control.name].textContent = text;
    inputs[control.name].setAttribute("aria-valuetext", text);
  }

  function send() {
    const positions = {};
    for (const name of moved) positions[name] = inputs[name].valueAsNumber;
    moved.clear();
    request += 1;
    waiting = request;
    model.set("move", { positions, request });
    model.save_changes();
    performance.mark("emlib-sent"); // for benchmarks/bench_browser.py
  }

  for (const control of controls) {
    const id = `emlib-control-${++counter}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = control.label;
    const input = document.createElement("input");
    Object.assign(input, { type: "range", id, min: 0, max: control.positions, step: 1 });
    input.dataset.control = control.name;
    input.setAttribute("aria-label", control.description);
    // The lab's keyboard shortcuts (arrows move between cells) leave the slider's keys alone:
    // the lab matches a shortcut from the focused element up, and stops at this attribute.
    input.setAttribute("data-lm-suppress-shortcuts", "true");
    const readout = document.createElement("output");
    readout.htmlFor = id;
    readout.className = "emlib-readout";
    input.addEventListener("input", () => {
      show(control, valueAt(control, input.valueAsNumber));
      moved.add(control.name);
      if (!waiting) send();
    });
    const group = document.createElement("div");
    group.className = "emlib-control";
    group.append(label, input, readout);
    bar.append(group);
    inputs[control.name] = input;
    readouts[control.name] = readout;
  }

  // Values from the kernel move the handles only while the student is not moving them:
  // otherwise they are the answer to an earlier position, and the handle is already ahead.
  function showValues() {
    if (waiting || moved.size) return;
    const values = model.get("values");
    for (const control of controls) {
      inputs[control.name].value = positionOf(control, values[control.name]);
      show(control, values[control.name]);
    }
  }

  // Each picture is inflated before it replaces the one shown, and painted in one step, so
  // the page never shows a blank or half-drawn picture; a picture that arrives while another
  // is inflated wins. A frame is an 8-byte header (width, height: big-endian 32-bit) and
  // the RGBA pixels, deflated (emlib/_frames.py).
  let latest = 0;
  let painted = 0;
  const context = canvas.getContext("2d", { alpha: false });
  async function paint() {
    performance.mark("emlib-received");
    const token = ++latest;
    const frame = model.get("frame");
    if (!frame || frame.byteLength < 8) return;
    const bytes = new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
    const header = new DataView(bytes.buffer, bytes.byteOffset, 8);
    const width = header.getUint32(0);
    const height = header.getUint32(4);
    let pixels;
    try {
      const stream = new Blob([bytes.subarray(8)]).stream()
        .pipeThrough(new DecompressionStream("deflate"));
      pixels = new ImageData(new Uint8ClampedArray(await new Response(stream).arrayBuffer()),
                             width, height);
    } catch (error) {
      console.error("emlib: a picture could not be shown", error);
      return;
    }
    if (token !== latest) return;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.putImageData(pixels, 0, 0);
    canvas.setAttribute("aria-label", model.get("alt"));
    canvas.dataset.frame = String(++painted); // one more picture shown, for the tests
    performance.mark("emlib-shown");
  }

  function size() {
    canvas.style.width = `${model.get("width")}px`;
    canvas.style.height = `${model.get("height")}px`;
  }

  function answered() {
    if (waiting && model.get("drawn") >= waiting) {
      waiting = 0;
      if (moved.size) send();
    }
  }

  model.on("change:values", showValues);
  model.on("change:frame", paint);
  model.on("change:alt", () => canvas.setAttribute("aria-label", model.get("alt")));
  model.on("change:summary", () => { summary.textContent = model.get("summary"); });
  model.on("change:width", size);
  model.on("change:height", size);
  model.on("change:drawn", answered);

  size();
  showValues();
  summary.textContent = model.get("summary");
  paint();
  // A high-density screen gets a picture drawn at its resolution.
  const ratio = Math.min(3, Math.max(1, Math.round(window.devicePixelRatio * 2) / 2));
  if (ratio !== model.get("pixel_ratio")) {
    model.set("pixel_ratio", ratio);
    model.save_changes();
  }
}

export default { render };
