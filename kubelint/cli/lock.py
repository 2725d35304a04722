import click

from kubelint.cli.remote import fetch_policy, remote_options


@click.command()
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False), default=None, help="Configuration file (for trusted-hosts).")
@remote_options
def lock(urls, config_path, remote) -> None:
    """Record the sha256 of what each URL serves in kubelint.lock.

    Trust on first use, like a package lockfile: review the content, lock it,
    and later runs of kubelint check and kubelint apply report
    remote-content-changed when the server sends something else.  The fetch
    follows the same trust policy and limits as kubelint check; findings about
    the source (an untrusted host, plain http) are printed as warnings.
    """
    from kubelint.cli import fail
    from kubelint.config import ConfigError, Settings, find_config, load_settings
    from kubelint.sources import InputError, is_url
    from kubelint.sources.remote import fetch, write_lock

    not_urls = [u for u in urls if not is_url(u)]
    if not_urls:
        fail(f"{not_urls[0]}: not an http:// or https:// URL; only URLs are locked")
    try:
        path = config_path or find_config()
        settings = load_settings(path) if path else Settings()
    except ConfigError as e:
        fail(str(e))
    trusted = settings.trusted_hosts + list(remote["trusted_hosts"])
    try:
        policy = fetch_policy(remote, list(urls), trusted, use_lock=False)
        entries = {}
        for url in dict.fromkeys(urls):
            fetched = fetch(url, policy)
            for f in fetched.findings:
                click.echo(f"kubelint: warning: {url}: [{f.name}] {f.message}", err=True)
            entries[url] = fetched.sha256
            click.echo(f"{fetched.sha256}  {url}")
        write_lock(remote["lock_file"], entries)
    except InputError as e:
        fail(str(e))
    click.echo(f"locked {len(entries)} URL{'s' if len(entries) != 1 else ''} in {remote['lock_file']}", err=True)
