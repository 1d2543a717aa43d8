// Submits the sign-in form at once, so opening the bot's link signs in. The link's page only
// uses the link up when this form is posted: link previews, which run no script, cannot.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("signin");
  if (form) {
    form.submit();
  }
});
