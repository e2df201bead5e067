// Chengxin: small enhancements of the public pages. Every page works without
// this file (no inline script is allowed); with it, a "copy link" button
// appears under the page's address and a "print" button on the sticker.
(function () {
  'use strict';

  function copyLink(box) {
    var input = box.querySelector('textarea');
    var button = box.querySelector('button');
    var status = box.querySelector('[role=status]');
    if (!input || !button || !status) {
      return;
    }
    function done() { status.textContent = button.getAttribute('data-done'); }
    function fail() {
      input.focus();
      input.select();
      status.textContent = button.getAttribute('data-fail');
    }
    function legacy() {
      input.focus();
      input.select();
      try {
        if (document.execCommand('copy')) {
          done();
          return;
        }
      } catch (e) { /* fall through */ }
      fail();
    }
    button.hidden = false;
    button.addEventListener('click', function () {
      status.textContent = '';
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, legacy);
      } else {
        legacy();
      }
    });
  }

  function printButton(button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  }

  document.querySelectorAll('[data-copy-link]').forEach(copyLink);
  document.querySelectorAll('[data-print]').forEach(printButton);
}());
