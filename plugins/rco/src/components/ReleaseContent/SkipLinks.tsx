import { makeStyles } from '@material-ui/core';

/** The ids of the skip links' targets (each gets tabIndex={-1} so it can take focus). */
export const GATES_ANCHOR = 'rco-gate-checklist';
export const DEPLOY_ANCHOR = 'rco-deploy';

const useStyles = makeStyles(theme => ({
  nav: { position: 'relative' },
  // Off screen until focused, then shown where the tab starts (WCAG 2.4.1, bypass blocks).
  link: {
    position: 'absolute',
    left: -10000,
    top: 0,
    zIndex: theme.zIndex.tooltip,
    padding: theme.spacing(1, 2),
    background: theme.palette.background.paper,
    color: theme.palette.primary.main,
    border: `2px solid ${theme.palette.primary.main}`,
    borderRadius: theme.shape.borderRadius,
    '&:focus': { left: 0 },
  },
  second: { '&:focus': { left: 220 } },
}));

/**
 * Skip links at the start of the Release tab: straight to the gate checklist or to Deploy,
 * instead of tabbing through the pickers and every gate's buttons. The link moves focus (not
 * only the scroll position), so the next Tab continues inside the section.
 */
export function SkipLinks() {
  const classes = useStyles();
  const go = (id: string) => (e: React.MouseEvent) => {
    const target = document.getElementById(id);
    if (!target) return;
    e.preventDefault();
    target.scrollIntoView?.({ block: 'start' });
    target.focus();
  };
  return (
    <nav aria-label="Skip links" className={classes.nav}>
      <a
        href={`#${GATES_ANCHOR}`}
        className={classes.link}
        onClick={go(GATES_ANCHOR)}
      >
        Skip to the gate checklist
      </a>
      <a
        href={`#${DEPLOY_ANCHOR}`}
        className={`${classes.link} ${classes.second}`}
        onClick={go(DEPLOY_ANCHOR)}
      >
        Skip to Deploy
      </a>
    </nav>
  );
}
