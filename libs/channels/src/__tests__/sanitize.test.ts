import { htmlToText, sanitizeEmailHtml } from '../sanitize';

describe('email HTML sanitizing', () => {
  it('removes scripts, event handlers, forms, iframes and javascript: links', () => {
    const out = sanitizeEmailHtml(
      `<p onclick="steal()">Bonjour</p><script>alert(1)</script><iframe src="https://x"></iframe>
       <form action="https://x"><input name="p"></form><a href="javascript:alert(1)">lien</a><a href="https://mairie.fr">ok</a>`,
    );
    expect(out).not.toMatch(/script|onclick|iframe|<form|<input|javascript:/i);
    expect(out).toContain('<p>Bonjour</p>');
    expect(out).toContain('href="https://mairie.fr"');
    expect(out).toContain('rel="noopener noreferrer nofollow"');
  });

  it('keeps remote images only as data-remote-src, so they load on request', () => {
    const out = sanitizeEmailHtml('<img src="https://tracker.example/pixel.gif" alt="x"><img src="cid:logo@mairie">');
    expect(out).toContain('data-remote-src="https://tracker.example/pixel.gif"');
    expect(out).not.toMatch(/ src="https:/);
    expect(out).toContain('src="cid:logo@mairie"');
  });

  it('turns HTML into readable text', () => {
    expect(htmlToText('<p>Bonjour&nbsp;Madame,</p><p>Votre acte est prêt.</p>')).toBe('Bonjour Madame,\nVotre acte est prêt.');
  });
});

describe('htmlToText entities', () => {
  it('decodes entities instead of leaving them escaped', () => {
    expect(htmlToText('<div>Tom &amp; Jerry &lt;3 &#233;t&eacute;</div>')).toBe('Tom & Jerry <3 été');
  });
});
