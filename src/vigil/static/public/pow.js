/* Proof of work on the last step: the ALTCHA widget (npm "altcha", served from this site) solves a small
   SHA-256 puzzle in a Web Worker while the visitor checks their report. Without JavaScript the form still
   works; the server then applies a stricter limit instead. */
import "../vendor/altcha/external/altcha.min.js";

globalThis.$altcha.algorithms.set("SHA-256", () => new Worker(new URL("../vendor/altcha/workers/sha.js", import.meta.url)));
