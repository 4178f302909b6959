// Counts the student's time left down on the page; the server refuses late submissions
// whatever this shows.
(function () {
  const shown = document.getElementById("time-left");
  if (!shown) return;
  const ends = Date.parse(shown.dataset.ends);
  const pad = (n) => String(n).padStart(2, "0");
  function tick() {
    const left = Math.max(0, Math.floor((ends - Date.now()) / 1000));
    shown.textContent = `${Math.floor(left / 3600)}:${pad(Math.floor(left / 60) % 60)}:${pad(left % 60)}`;
    if (left > 0) setTimeout(tick, 1000);
  }
  tick();
})();
