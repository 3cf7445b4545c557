// Runs on every page: typeset the math the server marked, and bring a refusal into view.
import { typesetAll } from "./common.js";

typesetAll();

// A refused form is shown at the top of a long page: move focus there, so that it is seen
// and read out (role="alert" announces it too).
const refusal = document.querySelector("[data-focus]");
if (refusal) {
  refusal.tabIndex = -1;
  refusal.focus();
}
