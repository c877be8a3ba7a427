/* Operations console: confirmations, and the BPMN diagram (bpmn-js NavigatedViewer) with markers
   for the steps of an instance: active, completed, incident. Everything it shows is also in the
   page's tables, so the page works without it. */
(function () {
  "use strict";

  function confirmBeforeSubmit() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  /* Per BPMN element: how many of its instances are in each state, and whether one is stuck. */
  function summarise(elements) {
    var summary = new Map();
    elements.forEach(function (e) {
      var s = summary.get(e.elementId) || { ACTIVE: 0, COMPLETED: 0, TERMINATED: 0, incident: 0 };
      s[e.state] = (s[e.state] || 0) + 1;
      if (e.incident) s.incident += 1;
      summary.set(e.elementId, s);
    });
    return summary;
  }

  function markerOf(s) {
    if (s.incident) return "ops-marker-incident";
    if (s.ACTIVE) return "ops-marker-active";
    if (s.COMPLETED) return "ops-marker-completed";
    return "ops-marker-terminated";
  }

  function badge(text, kind) {
    var span = document.createElement("span");
    span.className = "ops-overlay ops-overlay-" + kind;
    span.textContent = text;
    return span;
  }

  function highlightRows(elementId) {
    document.querySelectorAll("tr[data-element-id]").forEach(function (row) {
      row.classList.toggle("ops-selected", row.dataset.elementId === elementId);
    });
  }

  async function drawDiagram() {
    var card = document.querySelector("[data-ops-diagram]");
    var source = document.getElementById("ops-diagram-data");
    if (!card || !source) return;
    card.hidden = false;
    if (typeof window.BpmnJS !== "function") {
      card.querySelector("[data-ops-diagram-missing]").hidden = false;
      return;
    }
    var data = JSON.parse(source.textContent);
    var viewer = new window.BpmnJS({ container: "#ops-diagram" });
    var response = await fetch(data.xmlUrl, { credentials: "same-origin" });
    if (!response.ok) throw new Error("diagram: HTTP " + response.status);
    await viewer.importXML(await response.text());
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    canvas.zoom("fit-viewport", "auto");
    summarise(data.elements).forEach(function (s, elementId) {
      if (!registry.get(elementId)) return;
      canvas.addMarker(elementId, markerOf(s));
      if (s.incident) {
        overlays.add(elementId, { position: { top: -10, right: 10 }, html: badge("!", "incident") });
      } else if (s.ACTIVE > 1) {
        overlays.add(elementId, { position: { bottom: 10, left: -10 }, html: badge(String(s.ACTIVE), "active") });
      }
    });
    viewer.get("eventBus").on("element.click", function (event) {
      highlightRows(event.element.id);
    });
  }

  function start() {
    confirmBeforeSubmit();
    drawDiagram().catch(function (error) {
      var missing = document.querySelector("[data-ops-diagram-missing]");
      if (missing) missing.hidden = false;
      if (window.console) window.console.warn("operations diagram:", error);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
