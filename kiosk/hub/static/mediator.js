// Mediator page: live alerts from server-sent events, a sound for each new or repeated alert,
// and the "J'arrive" button. No build step, no library.
(function () {
  "use strict";
  var root = document.getElementById("mediator");
  var csrf = root.dataset.csrf;
  var list = document.getElementById("alerts");
  var empty = document.getElementById("empty");
  var link = document.getElementById("link");
  var soundButton = document.getElementById("sound");
  var soundOn = false, audio = null, heard = {};
  var LEVELS = { urgent: "Urgent — faire à sa place", guide: "M'accompagner", teach: "Apprendre", none: "Aide" };

  soundButton.addEventListener("click", function () {
    soundOn = !soundOn;
    if (soundOn && !audio) { audio = new (window.AudioContext || window.webkitAudioContext)(); }
    soundButton.setAttribute("aria-pressed", String(soundOn));
    soundButton.textContent = soundOn ? "Couper le son des alertes" : "Activer le son des alertes";
    if (soundOn) { beep(); }
  });

  function beep() {
    if (!soundOn || !audio) { return; }
    [0, 0.35].forEach(function (start) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.3;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(audio.currentTime + start); osc.stop(audio.currentTime + start + 0.2);
    });
  }

  function stateText(a) {
    if (a.state === "answered") { return "Pris en charge par " + a.answered_by + "."; }
    var minutes = Math.floor(a.age_s / 60);
    var since = minutes < 1 ? "à l'instant" : "il y a " + minutes + " min";
    return (a.state === "repeated" ? "Sans réponse, rappel n° " + a.repeats + " — " : "Nouvelle alerte — ") + since + ".";
  }

  function render(alerts) {
    list.textContent = "";
    var ring = false;
    alerts.forEach(function (a) {
      var li = document.createElement("li");
      li.className = "alert " + a.state;
      li.dataset.id = a.id;
      var what = document.createElement("p");
      what.className = "what";
      what.textContent = a.reason === "fault" ? a.kiosk + " · Panne : " + a.demarche
        : a.kiosk + " · " + a.demarche + " · " + (LEVELS[a.help_level] || a.help_level);
      var state = document.createElement("p");
      state.className = "state";
      state.textContent = stateText(a);
      li.appendChild(what); li.appendChild(state);
      if (a.state !== "answered") {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "answer";
        button.textContent = "J'arrive";
        button.addEventListener("click", function () { answer(a.id, button); });
        li.appendChild(button);
        var mark = a.id + ":" + a.repeats;
        if (!heard[mark]) { heard[mark] = true; ring = true; }
      }
      list.appendChild(li);
    });
    empty.hidden = alerts.length > 0;
    if (ring) { beep(); }
  }

  function answer(id, button) {
    button.disabled = true;
    fetch("/mediator/alerts/" + encodeURIComponent(id) + "/answer",
          { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { button.disabled = false; link.textContent = "Pas envoyé : réessayez."; } })
      .catch(function () { button.disabled = false; link.textContent = "Le hub ne répond pas : réessayez."; });
  }

  var source = new EventSource("/mediator/events");
  source.addEventListener("open", function () { link.textContent = "Connecté : les alertes arrivent en direct."; });
  source.addEventListener("error", function () { link.textContent = "Connexion perdue, nouvel essai…"; });
  source.addEventListener("alerts", function (e) { render(JSON.parse(e.data)); });
})();
